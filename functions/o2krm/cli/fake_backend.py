"""``--fake``: the Backend over the local state file and the simulated O-Cloud controller."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from o2krm.cli import fake_ocloud, resource
from o2krm.cli.backend import PASS, SKIP, Check, ControllerRef, Object, already_exists, not_found
from o2krm.cli.durations import format_duration
from o2krm.cli.errors import CliError, UsageError, WaitTimeoutError
from o2krm.cli.fake_state import FakeState, StateStore
from o2krm.cli.waiting import WaitTarget, evaluate, raise_unless_met

FAKE_LABEL = "o2krm.io/fake"
# How often a waiting command looks for deletions by other commands between scheduled transitions.
_WAIT_RECHECK_SECONDS = 0.2


class FakeSettings(NamedTuple):
    state_path: Path
    capacity_text: str
    capacity_source: str  # "--fake-capacity" or the environment variable, for error messages
    provision_seconds: float


class FakeBackend:
    def __init__(self, settings: FakeSettings, log: Callable[[str], None], clock: Callable[[], float] = time.time):
        self.settings = settings
        self.store = StateStore(settings.state_path)
        self._usage = fake_ocloud.Usage()  # what the stored requests hold, kept up to date
        self.log = log
        self.clock = clock
        log(
            f"fake mode: state {settings.state_path}, capacity {settings.capacity_text}, "
            f"provisioning takes {format_duration(settings.provision_seconds)}"
        )

    def _capacity(self) -> fake_ocloud.Capacity:
        """Parsed when first needed: listing and reading requests never look at the capacity."""
        try:
            return fake_ocloud.parse_capacity(self.settings.capacity_text)
        except ValueError as err:
            source = self.settings.capacity_source
            raise (UsageError if source.startswith("--") else CliError)(f"{source}: {err}") from None

    # --- ProvisioningRequests ------------------------------------------------------------

    def create(self, obj: Object) -> Object:
        name = resource.name_of(obj)
        now = self.clock()
        with self.store.open(write=True, now=now) as state:
            if name in state.requests:
                raise already_exists(name)
            record = self._admit(state, obj, now)
        return fake_ocloud.observe(record, now)

    def create_many(self, objs: list[Object]) -> list[CliError | None]:
        """Create each of ``objs`` in one change of the state file, as if one after another;
        per object, the error that refused it (None: created)."""
        now = self.clock()
        outcomes: list[CliError | None] = []
        with self.store.open(write=True, now=now) as state:
            for obj in objs:
                name = resource.name_of(obj)
                if name in state.requests:
                    outcomes.append(already_exists(name))
                    continue
                self._admit(state, obj, now)
                outcomes.append(None)
        return outcomes

    def _admit(self, state: FakeState, obj: Object, now: float) -> fake_ocloud.Record:
        name = resource.name_of(obj)
        admission = fake_ocloud.admit(obj, state.requests, self._capacity(), self._usage.of(state.requests))
        version = state.next_resource_version()
        record = fake_ocloud.new_record(obj, admission, now, self.settings.provision_seconds, version)
        state.requests[name] = record
        self.log(
            f"fake O-Cloud accepted {name}; it will be {admission.outcome}"
            + (f" ({admission.message})" if admission.message else "")
        )
        return record

    def get(self, name: str) -> Object:
        now = self.clock()
        with self.store.open(write=False, now=now) as state:
            record = state.requests.get(name)
        if record is None:
            raise not_found(name)
        return fake_ocloud.observe(record, now)

    def list(self) -> list[Object]:
        now = self.clock()
        with self.store.open(write=False, now=now) as state:
            return [fake_ocloud.observe(state.requests[name], now) for name in sorted(state.requests)]

    def statuses(self) -> dict[str, dict[str, Any]]:
        """Every request's status, by name: what a watcher of many requests needs, without
        copying each request as ``list`` does."""
        now = self.clock()
        with self.store.open(write=False, now=now) as state:
            return {name: fake_ocloud.status_of(record, now) for name, record in state.requests.items()}

    def delete(self, name: str) -> None:
        with self.store.open(write=True, now=self.clock()) as state:
            if state.requests.pop(name, None) is None:
                raise not_found(name)
            state.changed = True

    def wait(self, name: str, target: WaitTarget, timeout: float) -> Object | None:
        deadline = self.clock() + timeout
        while True:
            now = self.clock()
            with self.store.open(write=False, now=now) as state:
                record = state.requests.get(name)
            obj = fake_ocloud.observe(record, now) if record is not None else None
            if raise_unless_met(evaluate(target, obj), name, target):
                return obj
            if now >= deadline:
                raise WaitTimeoutError(
                    f"timed out after {format_duration(timeout)} waiting for {target.describe()} on "
                    f"{resource.TYPE_NAME}/{name}" + (f" (now {resource.state_of(obj)})" if obj else "")
                )
            change = fake_ocloud.next_change(record, now) if record is not None else None
            wake = min(deadline, now + _WAIT_RECHECK_SECONDS, change if change is not None else deadline)
            time.sleep(max(0.0, wake - now))

    # --- the simulated cluster -------------------------------------------------------------

    def health(self, controller: ControllerRef) -> list[Check]:
        now = self.clock()
        with self.store.open(write=False, now=now) as state:
            records = dict(state.requests)
        states = [resource.state_of(fake_ocloud.observe(r, now)) for r in records.values()]
        counts = ", ".join(f"{states.count(s)} {s}" for s in resource.STATES if states.count(s)) or "none"
        capacity = self._capacity()
        used = fake_ocloud.in_use(records)
        usage = ", ".join(
            f"{key} {used.get(key, amount.scaled(0))}/{amount}" for key, amount in sorted(capacity.items())
        )
        return [
            Check("api-server", SKIP, "fake mode: no Kubernetes API server contacted"),
            Check("nodes", SKIP, "fake mode: the O-Cloud is simulated, there are no nodes"),
            Check("provisioningrequest-crd", SKIP, "fake mode: requests are checked against the CRD file locally"),
            Check(
                "o2ims-controller",
                SKIP,
                f"fake mode: simulated controller instead of {controller.namespace}/{controller.name}; "
                f"requests settle after {format_duration(self.settings.provision_seconds)}",
            ),
            Check("fake-state", PASS, f"{self.settings.state_path}: {_count(len(records), 'request')} ({counts})"),
            Check("fake-capacity", PASS, f"in use/total: {usage}"),
        ]

    def nodes(self) -> list[Object]:
        with self.store.open(write=False, now=self.clock()) as state:
            created = state.created_at
        capacity = {k: str(v) for k, v in sorted(self._capacity().items())}
        return [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": "fake-ocloud",
                    "labels": {FAKE_LABEL: "true", "node-role.kubernetes.io/fake-ocloud": ""},
                    **({"creationTimestamp": fake_ocloud.timestamp(created)} if created else {}),
                },
                "status": {
                    "capacity": capacity,
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "reason": "FakeOCloud",
                            "message": "simulated by o2imsctl --fake; not a real node",
                        }
                    ],
                    "nodeInfo": {"kubeletVersion": "fake"},
                },
            }
        ]

    def namespaces(self) -> list[Object]:
        return [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {FAKE_LABEL: "true"}},
                "status": {"phase": "Active"},
            }
            for name in ("default", "o2ims-system")
        ]

    def server_version(self) -> dict[str, str]:
        return {"gitVersion": "fake", "platform": "o2imsctl fake O-Cloud, no cluster"}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
