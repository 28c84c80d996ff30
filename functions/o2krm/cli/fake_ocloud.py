"""The simulated O-Cloud behind ``--fake``: capacity, admission, and a controller that runs on time.

There is no daemon. Each request's fate is decided when it is created (does it fit in the
capacity not held by other live requests?) and written down with its creation time; its status
at any moment is then a pure function of that record and the clock:

- from creation: ``progressing``;
- a request that does not fit turns ``failed`` at half its provisioning time, with a message
  naming the resource, the amount asked for and the amount free;
- a request that fits turns ``fulfilled`` at its full provisioning time.

Requests hold their resources from creation until deleted; failed requests hold nothing.
Resource demands are read from ``spec.templateParameters.resourceRequirements`` (Kubernetes
quantities), as pr-generate writes them.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from o2krm.cli import resource

if TYPE_CHECKING:
    from o2krm.oran.quantity import Quantity

CAPACITY_ENV = "O2KRM_FAKE_CAPACITY"
PROVISION_TIME_ENV = "O2KRM_FAKE_PROVISION_TIME"
DEFAULT_CAPACITY = "cpu=64,memory=256Gi,storage=4Ti"
DEFAULT_PROVISION_SECONDS = 10.0
MESSAGE_PREFIX = "fake O-Cloud: "

Record = dict[str, Any]
Capacity = dict[str, "Quantity"]


def parse_capacity(text: str) -> Capacity:
    """``"cpu=64,memory=256Gi,storage=4Ti"`` -> quantities; raises ValueError saying what is wrong."""
    from o2krm.oran.quantity import QuantityError, parse_quantity

    capacity: Capacity = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{part.strip()!r} is not RESOURCE=QUANTITY (example: {DEFAULT_CAPACITY})")
        try:
            amount = parse_quantity(value.strip())
        except QuantityError as err:
            raise ValueError(f"capacity {key}: {err}") from None
        if amount.amount < 0:
            raise ValueError(f"capacity {key} must not be negative, got {value.strip()}")
        capacity[key] = amount
    if not capacity:
        raise ValueError(f"empty capacity; write RESOURCE=QUANTITY pairs such as {DEFAULT_CAPACITY}")
    return capacity


def format_capacity(capacity: Mapping[str, Quantity]) -> str:
    return ", ".join(f"{key} {amount}" for key, amount in sorted(capacity.items()))


class Admission(NamedTuple):
    outcome: str  # "fulfilled" | "failed"
    message: str
    reserved: dict[str, str]  # resource -> quantity text, held until deletion


def demand_of(obj: Mapping[str, Any]) -> tuple[dict[str, Quantity], str | None]:
    """The request's resource demand, or a message when resourceRequirements cannot be read."""
    from o2krm.oran.quantity import QuantityError, parse_quantity

    requirements = resource.template_parameters(obj).get("resourceRequirements")
    if requirements is None:
        return {}, None
    field = "spec.templateParameters.resourceRequirements"
    if not isinstance(requirements, Mapping):
        return {}, f"{field} must be a mapping of resource to quantity"
    demand = {}
    for key in sorted(requirements):
        try:
            demand[str(key)] = parse_quantity(requirements[key])
        except QuantityError as err:
            return {}, f"{field}.{key}: {err}"
    return demand, None


def in_use(records: Mapping[str, Record]) -> dict[str, Quantity]:
    from o2krm.oran.quantity import parse_quantity

    used: dict[str, Quantity] = {}
    for record in records.values():
        for key, text in record.get("reserved", {}).items():
            amount = parse_quantity(text)
            used[key] = used[key] + amount if key in used else amount
    return used


class Usage:
    """``in_use`` kept up to date across calls: only requests added, replaced or removed since
    the last call are counted again (records are replaced, never changed in place). A fake
    O-Cloud holding thousands of requests admits each new one without adding them all up."""

    def __init__(self) -> None:
        self._counted: dict[str, Record] = {}
        self._totals: dict[str, Quantity] = {}

    def of(self, records: Mapping[str, Record]) -> dict[str, Quantity]:
        for name, record in list(self._counted.items()):
            if records.get(name) is not record:
                self._count(record, subtract=True)
                del self._counted[name]
        for name, record in records.items():
            if name not in self._counted:
                self._count(record, subtract=False)
                self._counted[name] = record
        return dict(self._totals)

    def _count(self, record: Record, *, subtract: bool) -> None:
        from o2krm.oran.quantity import parse_quantity

        for key, text in record.get("reserved", {}).items():
            amount = parse_quantity(text)
            if key not in self._totals:
                self._totals[key] = amount.scaled(0)
            self._totals[key] = self._totals[key] - amount if subtract else self._totals[key] + amount


def admit(
    obj: Mapping[str, Any],
    records: Mapping[str, Record],
    capacity: Capacity,
    used: Mapping[str, Quantity] | None = None,
) -> Admission:
    """Decide the fate of a new request against what the other live requests already hold
    (``used``: their ``in_use``, when the caller keeps it)."""
    demand, problem = demand_of(obj)
    if problem:
        return Admission("failed", f"{MESSAGE_PREFIX}{problem}", {})
    used = in_use(records) if used is None else used
    shortages = []
    for key, amount in demand.items():
        if key not in capacity:
            if amount.amount > 0:
                shortages.append(f"no {key} (requested {amount}; it offers {', '.join(sorted(capacity))})")
            continue
        free = capacity[key] - used[key] if key in used else capacity[key]
        if amount > free:
            shortages.append(f"insufficient {key}: requested {amount}, free {_show(free)} of {capacity[key]}")
    if shortages:
        return Admission("failed", MESSAGE_PREFIX + "; ".join(shortages), {})
    return Admission("fulfilled", "", {key: str(amount) for key, amount in demand.items()})


def _show(amount: Quantity) -> str:
    """Free capacity can be negative when the capacity was lowered after requests took it; show 0 then."""
    return str(amount if amount.amount >= 0 else amount.scaled(0))


def timestamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def new_record(
    obj: Mapping[str, Any], admission: Admission, now: float, provision_seconds: float, resource_version: int
) -> Record:
    """What the fake API server stores for a newly created request (status comes from ``observe``)."""
    import uuid

    stored = copy.deepcopy(dict(obj))
    stored.pop("status", None)  # status is a subresource: ignored on create, as by the API server
    name = resource.name_of(stored)
    metadata = dict(stored.get("metadata") or {})
    metadata.update(
        creationTimestamp=timestamp(now),
        generation=1,
        resourceVersion=str(resource_version),
        uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"o2krm-fake-ocloud:{name}:{resource_version}")),
    )
    for server_field in ("deletionTimestamp", "managedFields", "selfLink"):
        metadata.pop(server_field, None)
    stored["metadata"] = metadata
    cluster_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"o2krm-fake-ocloud:{metadata['uid']}:cluster"))
    return {
        "object": stored,
        "createdAt": now,
        "provisionSeconds": provision_seconds,
        "outcome": admission.outcome,
        "failureMessage": admission.message,
        "reserved": admission.reserved,
        "nodeClusterId": cluster_id,
    }


def phase_times(record: Record) -> tuple[float, float]:
    """(when a failure shows, when success shows) as epoch seconds."""
    created, duration = float(record["createdAt"]), float(record["provisionSeconds"])
    return created + duration / 2, created + duration


def observe(record: Record, now: float) -> dict[str, Any]:
    """The request as a client would read it at ``now``."""
    obj = copy.deepcopy(record["object"])
    obj["status"] = status_of(record, now)
    return obj


def status_of(record: Record, now: float) -> dict[str, Any]:
    """The request's status at ``now`` (what ``observe`` adds to it, without copying it)."""
    fails_at, done_at = phase_times(record)
    target = resource.template_parameters(record["object"]).get("targetCluster")
    where = f" on {target}" if isinstance(target, str) and target else ""
    if record["outcome"] == "failed" and now >= fails_at:
        status = _provisioning("failed", record["failureMessage"], fails_at)
    elif record["outcome"] == "fulfilled" and now >= done_at:
        status = _provisioning("fulfilled", f"{MESSAGE_PREFIX}provisioning complete{where}", done_at)
        status["provisionedResourceSet"] = {
            "oCloudNodeClusterId": record["nodeClusterId"],
            "oCloudInfrastructureResourceIds": [f"fake-ocloud-node-{record['nodeClusterId'][:8]}"],
        }
    else:
        status = _provisioning("progressing", f"{MESSAGE_PREFIX}provisioning resources{where}", record["createdAt"])
    return status


def _provisioning(state: str, message: str, at: float) -> dict[str, Any]:
    return {
        "provisioningStatus": {
            "provisioningState": state,
            "provisioningMessage": message,
            "provisioningUpdateTime": timestamp(at),
        }
    }


def next_change(record: Record, now: float) -> float | None:
    """When the observed status will next change, or None when it has settled."""
    fails_at, done_at = phase_times(record)
    change = fails_at if record["outcome"] == "failed" else done_at
    return change if now < change else None
