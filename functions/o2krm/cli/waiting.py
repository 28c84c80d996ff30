"""What `pr wait --condition X` waits for, and how one observed object answers it.

Both backends share this: the real one feeds it watch events, the fake one its simulated
objects. Rules (documented in README.md):

- ``Ready`` waits for provisioningState ``fulfilled``; an object without a provisioningState
  counts as ready when its ``Ready`` condition is ``True``.
- ``progressing``, ``fulfilled``, ``failed``, ``deleting`` wait for that provisioningState.
- ``Deleted`` (or ``delete``) waits until the object is gone.
- any other word waits for ``status.conditions[type=word].status == "True"``.

While waiting for anything but ``failed`` or ``Deleted``, provisioningState ``failed`` ends the
wait at once (exit 5), as does deletion starting (exit 1) or the object vanishing (exit 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, NamedTuple

from o2krm.cli import resource
from o2krm.cli.errors import CliError, NotFoundError, ProvisioningFailedError


class TargetKind(Enum):
    STATE = "state"
    CONDITION = "condition"
    DELETED = "deleted"


class WaitTarget(NamedTuple):
    kind: TargetKind
    value: str  # a provisioningState, or a condition type

    @classmethod
    def parse(cls, text: str) -> WaitTarget:
        word = text.strip()
        if word.lower().startswith("condition="):  # kubectl's --for=condition=Ready
            word = word[len("condition=") :]
        if "=" in word:
            raise ValueError(f"{text!r}: only a condition name is supported, e.g. Ready or Deleted")
        if not word:
            raise ValueError("empty condition; use Ready, Deleted, a provisioningState or a condition type")
        lowered = word.lower()
        if lowered == "ready":
            return cls(TargetKind.STATE, "fulfilled")
        if lowered in resource.STATES:
            return cls(TargetKind.STATE, lowered)
        if lowered in ("deleted", "delete"):
            return cls(TargetKind.DELETED, "")
        return cls(TargetKind.CONDITION, word)

    def describe(self) -> str:
        if self.kind is TargetKind.STATE:
            return f"provisioningState {self.value}"
        if self.kind is TargetKind.DELETED:
            return "deletion"
        return f"condition {self.value}=True"


class Verdict(Enum):
    MET = "met"
    PENDING = "pending"
    FAILED = "failed"  # provisioningState failed: exit 5
    DELETING = "deleting"  # being deleted: can no longer reach the target
    GONE = "gone"  # no such object: exit 3


class Evaluation(NamedTuple):
    verdict: Verdict
    detail: str = ""


def evaluate(target: WaitTarget, obj: Mapping[str, Any] | None) -> Evaluation:
    if target.kind is TargetKind.DELETED:
        return Evaluation(Verdict.MET) if obj is None else Evaluation(Verdict.PENDING)
    if obj is None:
        return Evaluation(Verdict.GONE)
    state = resource.state_of(obj)
    if _reached(target, obj, state):
        return Evaluation(Verdict.MET)
    if state == "failed":
        return Evaluation(Verdict.FAILED, resource.message_of(obj))
    if state == "deleting":
        return Evaluation(Verdict.DELETING, resource.message_of(obj))
    return Evaluation(Verdict.PENDING, state or "no provisioningState yet")


def _reached(target: WaitTarget, obj: Mapping[str, Any], state: str | None) -> bool:
    if target.kind is TargetKind.CONDITION:
        return _condition_true(obj, target.value)
    if state == target.value:
        return True
    return state is None and target.value == "fulfilled" and _condition_true(obj, "Ready")


def _condition_true(obj: Mapping[str, Any], type_name: str) -> bool:
    entry = resource.condition(obj, type_name)
    return entry is not None and str(entry.get("status")) == "True"


def raise_unless_met(evaluation: Evaluation, name: str, target: WaitTarget) -> bool:
    """True when met, False when still pending; raises the error that ends the wait otherwise."""
    verdict = evaluation.verdict
    if verdict is Verdict.MET:
        return True
    if verdict is Verdict.PENDING:
        return False
    if verdict is Verdict.GONE:
        raise NotFoundError(f'{resource.TYPE_NAME} "{name}" not found')
    suffix = f": {evaluation.detail}" if evaluation.detail else ""
    if verdict is Verdict.FAILED:
        raise ProvisioningFailedError(f"{resource.TYPE_NAME}/{name} failed{suffix}")
    raise CliError(f"{resource.TYPE_NAME}/{name} is being deleted and will not reach {target.describe()}{suffix}")
