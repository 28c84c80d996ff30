"""Moving intents through their lifecycle (see lifecycle.py), one durable step at a time.

Each step (publish the pending revision, create/replace/delete the ProvisioningRequests,
delete the intent) is idempotent and its outcome is stored before the next one starts, so a
gateway killed at any moment resumes where it stopped: the reconciler picks up every intent
with work pending when it starts, and then keeps watching the ProvisioningRequests of the
provisioned ones. A request thread and the reconciler never work on the same intent at once
(one lock per intent).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from o2krm.gateway import packaging
from o2krm.gateway.lifecycle import PENDING_WORK, WATCHED, State
from o2krm.gateway.provisioning import FAILED, FULFILLED, MISSING, OCloud, ProvisioningError, RequestState
from o2krm.gateway.publishing import Publisher
from o2krm.gateway.resources import event, intent_resource, new_report, now, report_resource
from o2krm.gateway.store import IntentRecord, Publication, ReportRecord, Store
from o2krm.porch.errors import PublishError

LOG = logging.getLogger("o2krm.gateway")
SLO_NOT_EVALUATED = (
    "not evaluated: the gateway reads no measurements; the TS 28.312 IntentReport stays NOT_FULFILLED "
    "until an SLO gate passes on fresh measurements"
)


class KeyedLocks:
    """One lock per key, created on demand and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: str, *, blocking: bool = True, timeout: float = -1) -> Iterator[bool]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        acquired = lock.acquire(blocking, timeout if blocking else -1)
        try:
            yield acquired
        finally:
            if acquired:
                lock.release()
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


@dataclass
class Timing:
    publish: float = 0.0  # including publish_queue
    publish_queue: float = 0.0  # waiting for other publishes to the deployment branch
    provision: float = 0.0


class Processor:
    def __init__(
        self,
        store: Store,
        publisher: Publisher,
        ocloud: OCloud,
        emit: Callable[[dict[str, Any]], None],
        base_url: str,
        max_attempts: int = 5,
        on_deleted: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.ocloud = ocloud
        self.emit = emit
        self.base_url = base_url
        self.max_attempts = max_attempts
        self.on_deleted = on_deleted or (lambda _: None)  # told the id of every intent deleted
        self.locks = KeyedLocks()

    # --- steps ---------------------------------------------------------------------------------
    def advance(self, intent_id: str, *, resume: bool) -> Timing:
        """Do the pending work of an intent, step by step. The caller holds its lock."""
        timing = Timing()
        while True:
            record = self.store.get_intent(intent_id)
            if record is None:
                break
            started = time.perf_counter()
            if record.lifecycle_status == State.CREATED:
                done = self._publish(record, resume=resume or record.attempts > 0, timing=timing)
                timing.publish += time.perf_counter() - started
            elif record.lifecycle_status == State.PUBLISHED:
                done = self._provision(record)
                timing.provision += time.perf_counter() - started
            elif record.lifecycle_status == State.DELETING:
                done = self._delete(record, resume=resume or record.attempts > 0)
            else:
                break
            if not done:
                break
        return timing

    def _publish(self, record: IntentRecord, *, resume: bool, timing: Timing) -> bool:
        assert record.pending_files is not None, f"intent {record.id} is Created without a rendered package"
        last = record.published.revision if record.published else None
        try:
            published = self.publisher.publish(
                record.package, record.pending_files, _message(record), last_known=last, resume=resume
            )
        except PublishError as err:
            self._retry_later(record, f"publishing failed: {err.message}")
            return False
        timing.publish_queue += published.queued
        record.published = Publication(published.revision, published.tag, published.commit, record.pending_digest)
        record.pending_files = None
        self.transition(record, State.PUBLISHED, f"published as package revision {published.tag}")
        return True

    def _provision(self, record: IntentRecord) -> bool:
        desired = record.requests
        try:
            for name in sorted(set(record.provisioned) - set(desired)):
                self.ocloud.delete(name)
                del record.provisioned[name]
            for name, obj in desired.items():
                fingerprint = packaging.fingerprint(obj)
                if name not in record.provisioned:
                    self.ocloud.create(obj)
                elif record.provisioned[name] != fingerprint:
                    self.ocloud.replace(obj)
                record.provisioned[name] = fingerprint
        except ProvisioningError as err:
            self._retry_later(record, f"provisioning failed: {err}")
            return False
        record.request_states = {name: {"state": "progressing", "message": ""} for name in desired}
        if not desired:
            self.transition(record, State.PROVISIONED, "the rendered package holds no ProvisioningRequest")
        else:
            count = len(desired)
            self.transition(
                record, State.PROVISIONING, f"{count} ProvisioningRequest{'s' if count != 1 else ''} created"
            )
        return True

    def _delete(self, record: IntentRecord, *, resume: bool) -> bool:
        try:
            if record.published is not None and not record.tombstone_published:
                files = packaging.tombstone(record.package, record.id)
                self.publisher.publish(
                    record.package,
                    files,
                    f"intent {record.id} deleted",
                    last_known=record.published.revision,
                    resume=resume,
                )
                record.tombstone_published = True
                self.store.save_intent(record)
            for name in sorted(record.provisioned):
                self.ocloud.delete(name)
        except (PublishError, ProvisioningError) as err:
            self._retry_later(record, f"deleting failed: {err}")
            return False
        resource = intent_resource(record, self.base_url)
        self.store.delete_intent(record.id)
        self.on_deleted(record.id)
        self.emit(event("IntentDeleteEvent", {"intent": resource}))
        return True

    def _retry_later(self, record: IntentRecord, why: str) -> None:
        record.attempts += 1
        if record.attempts >= self.max_attempts and record.lifecycle_status != State.DELETING:
            record.next_attempt_at = 0.0
            self.transition(record, State.FAILED, f"{why} (gave up after {record.attempts} attempts)")
            return
        delay = min(2.0**record.attempts, 60.0)
        record.reason = f"{why}; attempt {record.attempts} failed, trying again in {delay:.0f}s"
        record.next_attempt_at = time.time() + delay
        record.updated_at = now()
        self.store.save_intent(record)
        LOG.warning("intent %s: %s", record.id, record.reason)

    # --- state changes ---------------------------------------------------------------------------
    def transition(self, record: IntentRecord, state: State, summary: str) -> ReportRecord | None:
        """Store ``record`` in ``state`` with a new report, and tell the listeners."""
        changed = record.lifecycle_status != state
        stamp = now()
        record.lifecycle_status = state
        record.reason = summary
        record.updated_at = stamp
        if changed:
            record.status_changed_at = stamp
        if state != State.FAILED:
            record.attempts = 0
            record.next_attempt_at = 0.0
        report = self.store.save_intent(record, new_report(record, summary, SLO_NOT_EVALUATED))
        resource = intent_resource(record, self.base_url)
        if changed:
            self.emit(event("IntentStatusChangeEvent", {"intent": resource}))
        if report is not None:
            self.emit(
                event("IntentReportCreateEvent", {"intentReport": report_resource(report, record, self.base_url)})
            )
        return report

    # --- the reconciler's work -------------------------------------------------------------------
    def resume_pending(self) -> int:
        """Advance every intent with work pending whose retry time has come; returns how many."""
        done = 0
        for record in self.store.intents_in(PENDING_WORK):
            if record.next_attempt_at > time.time():
                continue
            with self.locks.hold(record.id, blocking=False) as mine:
                if mine:
                    self.advance(record.id, resume=True)
                    done += 1
        return done

    def observe_requests(self) -> None:
        """Read the ProvisioningRequests of watched intents and move the intents accordingly."""
        watched = [w for w in self.store.watched(WATCHED) if w.provisioned]
        if not watched:
            return
        try:
            states = self.ocloud.observe(name for r in watched for name in r.provisioned)
        except ProvisioningError as err:
            LOG.warning("cannot observe ProvisioningRequests: %s", err)
            return
        for stale in watched:
            observed = {name: states[name] for name in stale.provisioned}
            seen = {name: {"state": s.state, "message": s.message} for name, s in observed.items()}
            if seen == stale.request_states:
                continue
            with self.locks.hold(stale.id, blocking=False) as mine:
                record = self.store.get_intent(stale.id) if mine else None
                if record is None or record.lifecycle_status not in WATCHED:
                    continue
                record.request_states = seen
                state, summary = aggregate(observed)
                if state != record.lifecycle_status:
                    self.transition(record, state, summary)
                else:
                    record.reason = summary
                    self.store.save_intent(record)


def aggregate(observed: dict[str, RequestState]) -> tuple[State, str]:
    failed = sorted(name for name, s in observed.items() if s.state == FAILED)
    if failed:
        message = observed[failed[0]].message
        return State.FAILED, f"ProvisioningRequest {failed[0]} failed" + (f": {message}" if message else "")
    missing = sorted(name for name, s in observed.items() if s.state == MISSING)
    if missing:
        return State.FAILED, f"ProvisioningRequest {missing[0]} is gone from the O-Cloud"
    fulfilled = sum(1 for s in observed.values() if s.state == FULFILLED)
    total = len(observed)
    if fulfilled == total:
        return State.PROVISIONED, f"the O-Cloud fulfilled {'the' if total == 1 else f'all {total}'} " + (
            "ProvisioningRequest" if total == 1 else "ProvisioningRequests"
        )
    return State.PROVISIONING, f"{fulfilled} of {total} ProvisioningRequests fulfilled"


def _message(record: IntentRecord) -> str:
    name = " ".join(str(record.body.get("name") or record.id).split())
    return f"intent {record.id} ({name}) through the o2krm intent gateway, blueprint {record.blueprint}"


class Reconciler:
    """A background thread: resume pending work, then watch ProvisioningRequests, every ``interval``."""

    def __init__(self, processor: Processor, interval: float) -> None:
        self.processor = processor
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.cycles = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="o2krm-gateway-reconciler", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.processor.resume_pending()
                self.processor.observe_requests()
            except Exception:  # keep reconciling; the next cycle may succeed
                LOG.exception("reconciler cycle failed")
            self.cycles += 1
            self._stop.wait(self.interval)
