"""Group commit: items submitted while a call is under way wait for it and go together in the
next call. The gateway creates ProvisioningRequests this way (one change of the fake O-Cloud's
state for all that arrive together) and publishes packages this way (one push per lifecycle
step for all of them)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Combiner(Generic[T, R]):
    """``submit(item)`` returns ``run``'s result for it: ``run`` takes the items waiting when it
    is called (in arrival order; at most ``limit``, and at most one per ``key``: the others wait
    for the next call) and returns one result per item, in order. One call at a time: the
    submitting threads take turns running it. When ``run`` raises, every item of that call gets
    the error."""

    def __init__(
        self,
        run: Callable[[list[T]], list[R]],
        *,
        key: Callable[[T], Hashable] | None = None,
        limit: int = sys.maxsize,
    ) -> None:
        self._run = run
        self._key = key
        self._limit = limit
        self._ready = threading.Condition()
        self._busy = False
        self._waiting: list[_Slot[T, R]] = []

    @property
    def waiting(self) -> int:
        """How many items wait for a call."""
        with self._ready:
            return len(self._waiting)

    def submit(self, item: T) -> R:
        slot: _Slot[T, R] = _Slot(item)
        with self._ready:
            self._waiting.append(slot)
        while True:
            with self._ready:
                while not slot.done and self._busy:
                    self._ready.wait()
                if slot.done:
                    break
                self._busy = True
                batch = self._take()
            try:
                for waiting, result in zip(batch, self._run([s.item for s in batch]), strict=True):
                    waiting.finish(result)
            except BaseException as err:  # every waiting caller hears of it
                for waiting in batch:
                    if not waiting.done:
                        waiting.fail(err)
            finally:
                with self._ready:
                    self._busy = False
                    self._ready.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _take(self) -> list[_Slot[T, R]]:
        """The waiting items of the next call (the caller holds the lock)."""
        batch: list[_Slot[T, R]] = []
        later: list[_Slot[T, R]] = []
        keys: set[Hashable] = set()
        for slot in self._waiting:
            key = self._key(slot.item) if self._key is not None else None
            if len(batch) >= self._limit or (key is not None and key in keys):
                later.append(slot)
            else:
                keys.add(key)
                batch.append(slot)
        self._waiting = later
        return batch


class _Slot(Generic[T, R]):
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.result: R | None = None
        self.error: BaseException | None = None
        self.done = False

    def finish(self, result: R) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True
