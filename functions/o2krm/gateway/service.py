"""The gateway's use cases, free of HTTP: create, read, patch and delete intents, their reports
and the hub listeners. The FastAPI layer (app.py) only maps requests and answers onto these.

A create validates the intent, renders the chosen blueprint with its Kptfile pipeline, stores
the intent (durably: it survives a crash from here on), then publishes the revision and creates
the ProvisioningRequests before answering. Failures after the intent is stored do not lose it:
it stays at the step that failed and the reconciler tries again.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from o2krm.gateway import intake, packaging
from o2krm.gateway.allocations import Holdings, Ledger, held_by
from o2krm.gateway.blueprints import Blueprint, BlueprintCatalog
from o2krm.gateway.errors import Problem, conflict, not_found, unprocessable
from o2krm.gateway.lifecycle import State
from o2krm.gateway.line_process import settle_heap
from o2krm.gateway.notify import Notifier
from o2krm.gateway.processor import SLO_NOT_EVALUATED, Processor, Reconciler
from o2krm.gateway.provisioning import OCloud
from o2krm.gateway.publishing import Publisher
from o2krm.gateway.render_worker import RenderClient
from o2krm.gateway.resources import event, intent_resource, new_report, now, parse_event_filter, report_resource
from o2krm.gateway.settings import LOCK_FILE, Settings
from o2krm.gateway.store import DuplicateError, HubRecord, IntentRecord, ReportRecord, Store

LOG = logging.getLogger("o2krm.gateway")
_LOCK_WAIT = 30.0  # seconds a PATCH or DELETE waits for work in progress on the same intent


@dataclass
class Timings:
    """Where the time of a request went, in seconds (answered as a Server-Timing header)."""

    render: float = 0.0
    publish: float = 0.0  # including publish_queue
    publish_queue: float = 0.0
    provision: float = 0.0
    store: float = 0.0
    total: float = 0.0

    def header(self) -> str:
        parts = [("render", self.render), ("publish", self.publish), ("publish-queue", self.publish_queue)]
        parts += [("provision", self.provision)]
        parts += [("store", self.store), ("total", self.total)]
        return ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in parts)


@dataclass
class Outcome:
    record: IntentRecord
    timings: Timings = field(default_factory=Timings)
    done: bool = True  # DELETE: False when the deletion continues in the background


class IntentService:
    def __init__(self, settings: Settings, *, ocloud: OCloud | None = None, log: Callable[[str], None] | None = None):
        self.settings = settings
        self._log = log or LOG.info
        self.catalog = BlueprintCatalog(settings.blueprints)
        self.store: Store | None = None
        self.notifier: Notifier | None = None
        self.processor: Processor | None = None
        self.reconciler: Reconciler | None = None
        self.ocloud = ocloud or OCloud(settings.ocloud, log=lambda line: LOG.debug("o2imsctl: %s", line))
        self.publisher = Publisher(
            settings.repo_location,
            directory=settings.package_directory,
            branch=settings.branch,
            log=self._log,
            cache_dir=settings.publish_cache_dir,
            separate_process=True,
        )
        self._data_lock: IO[bytes] | None = None
        self.ledger = Ledger()  # the network values each intent holds (see allocations.py)
        self.render_client = RenderClient(settings.blueprints, self.ledger) if settings.render_process else None

    # --- life ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the store, create the default repository, warm the pipeline, start the background
        threads. Starting a started service does nothing."""
        if self.store is not None:
            return
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._take_data_lock()
        self.store = Store(self.settings.db_path)
        if self.settings.repo is None:
            self.publisher.ensure_local_repository()
        if self.catalog.get(self.settings.default_blueprint) is None:
            raise RuntimeError(
                f"default blueprint {self.settings.default_blueprint!r} not found in {self.settings.blueprints} "
                f"(have: {', '.join(self.catalog.names()) or 'none'}); pass --blueprints DIR or --default-blueprint"
            )
        held = {record.id: held_by(record.requests) for record in self.store.list_intents()[0]}
        with self.ledger.lock:
            for intent_id, holdings in held.items():
                self.ledger.hold(intent_id, holdings)
        self.notifier = Notifier(self.store.hubs)
        self.notifier.start()
        self.processor = Processor(
            self.store,
            self.publisher,
            self.ocloud,
            self.notifier.publish,
            self.settings.public_url,
            self.settings.max_attempts,
            on_deleted=self._release,
        )
        self._warm_up()
        settle_heap()
        self.reconciler = Reconciler(self.processor, self.settings.poll_interval)
        self.reconciler.start()
        counts = self.store.count_by_state()
        self._log(
            f"intent gateway ready: {sum(counts.values())} intents stored"
            + (f" ({', '.join(f'{n} {s}' for s, n in counts.items())})" if counts else "")
            + f"; O-Cloud: {self.ocloud.describe()}; deployment repository: {self.settings.repo_location}"
        )

    def stop(self) -> None:
        if self.reconciler is not None:
            self.reconciler.stop()
        if self.notifier is not None:
            self.notifier.drain(2.0)
            self.notifier.stop()
        self.publisher.close()
        if self.render_client is not None:
            self.render_client.close()
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._data_lock is not None:
            self._data_lock.close()
            self._data_lock = None

    def _take_data_lock(self) -> None:
        handle = open(self.settings.data_dir / LOCK_FILE, "a+b")  # noqa: SIM115 - held while running
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RuntimeError(
                f"another gateway is running with the data directory {self.settings.data_dir}; "
                "stop it or pass another --data-dir"
            ) from None
        self._data_lock = handle

    def _warm_up(self) -> None:
        """Render the default blueprint's example once: imports every function, so that the first
        client does not pay for it."""
        from o2krm.tools import pipeline

        blueprint = self.catalog.get(self.settings.default_blueprint)
        assert blueprint is not None
        example = self.settings.blueprints / blueprint.name / "intent.yaml"
        if self.settings.renderer == "in-process" and example.is_file():
            from o2krm.sdk import yamlio

            intent = yamlio.load(example.read_text(encoding="utf-8"))
            started = time.perf_counter()
            if self.render_client is not None:
                self.render_client.render(
                    blueprint.name, "warm-up", intent, intake.API_SEED, "in-process", intent="", hold=False
                )
            else:
                pipeline.render(blueprint.package_for("warm-up", intent))
            LOG.debug("pipeline warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    @property
    def _store(self) -> Store:
        assert self.store is not None, "the service is not started"
        return self.store

    @property
    def _processor(self) -> Processor:
        assert self.processor is not None, "the service is not started"
        return self.processor

    def emit(self, item: dict[str, Any]) -> None:
        if self.notifier is not None:
            self.notifier.publish(item)

    # --- intents ---------------------------------------------------------------------------------
    def create_tmf921(self, body: dict[str, Any], blueprint: str | None) -> Outcome:
        return self._create(intake.tmf921_submission(body, blueprint))

    def create_seed(self, resource: dict[str, Any], blueprint: str | None) -> Outcome:
        return self._create(intake.seed_submission(resource, blueprint))

    def _create(self, submission: intake.Submission) -> Outcome:
        started = time.perf_counter()
        timings = Timings()
        if self._store.get_intent(submission.id) is not None:
            raise conflict(f"intent {submission.id} exists already; PATCH it, or DELETE it first")
        blueprint = self._blueprint(submission.blueprint_hint, submission.api)
        rendered, previous = self._render_holding(blueprint, submission.id, submission.envelope, submission.api)
        timings.render = rendered.seconds
        stamp = now()
        record = IntentRecord(
            id=submission.id,
            form=submission.form,
            api=submission.api,
            body=submission.body,
            envelope=submission.envelope,
            blueprint=blueprint.name,
            package=submission.id,
            lifecycle_status=State.CREATED,
            created_at=stamp,
            updated_at=stamp,
            status_changed_at=stamp,
            reason=f"rendered with blueprint {blueprint.name}; publishing",
            pending_files=rendered.files,
            pending_digest=rendered.digest,
            requests=rendered.requests,
            findings=rendered.findings,
            report_28312=rendered.report_28312,
        )
        processor = self._processor
        with processor.locks.hold(record.id):
            stored = time.perf_counter()
            try:
                self._store.insert_intent(record, new_report(record, record.reason, SLO_NOT_EVALUATED))
            except DuplicateError:
                self._restore(record.id, previous)
                raise conflict(f"intent {record.id} exists already; PATCH it, or DELETE it first") from None
            timings.store = time.perf_counter() - stored
            self.emit(event("IntentCreateEvent", {"intent": intent_resource(record, self.settings.public_url)}))
            steps = processor.advance(record.id, resume=False)
        timings.publish, timings.publish_queue, timings.provision = steps.publish, steps.publish_queue, steps.provision
        timings.total = time.perf_counter() - started
        return Outcome(self.get(record.id), timings)

    def _render_holding(
        self,
        blueprint: Blueprint,
        intent_id: str,
        envelope: dict[str, Any],
        api: str,
        keep: Holdings | None = None,
        package: str | None = None,
    ) -> tuple[packaging.RenderedIntent, Holdings | None]:
        """Render ``intent_id``'s package with what the other intents hold reserved; then it
        holds what the render took (plus ``keep``). Returns the render and what it held before.
        Renders take values one after another: in the rendering process, which keeps a ledger
        of its own in step (see render_worker.py), or here under the ledger's lock."""
        keep, package = keep or Holdings(), package or intent_id
        if self.render_client is not None:
            return self.render_client.render(
                blueprint.name, package, envelope, api, self.settings.renderer, intent=intent_id, keep=keep
            )
        with self.ledger.lock:
            rendered = packaging.render_intent(
                blueprint, package, envelope, api, self.settings.renderer, reserved=self.ledger.others(intent_id)
            )
            return rendered, self.ledger.hold(intent_id, held_by(rendered.requests) | keep)

    def _restore(self, intent_id: str, previous: Holdings | None) -> None:
        """Undo a render's holding: ``intent_id`` holds ``previous`` again."""
        with self.ledger.lock:
            self.ledger.restore(intent_id, previous)
        if self.render_client is not None:
            self.render_client.hold(intent_id, previous)

    def _release(self, intent_id: str) -> None:
        with self.ledger.lock:
            self.ledger.release(intent_id)
        if self.render_client is not None:
            self.render_client.hold(intent_id, None)

    def _blueprint(self, hint: str | None, api: str) -> Blueprint:
        name = hint or self.settings.default_blueprint
        blueprint = self.catalog.get(name)
        if blueprint is None:
            have = ", ".join(self.catalog.names())
            field = "blueprint" if api == intake.API_SEED else "intentSpecification.id"
            message = (
                f"no blueprint {name!r}: choose one of {have} (query parameter blueprint, or intentSpecification.id)"
            )
            raise unprocessable(message, Problem(message, field))
        return blueprint

    def get(self, intent_id: str) -> IntentRecord:
        record = self._store.get_intent(intent_id)
        if record is None:
            raise not_found(f"no intent {intent_id}")
        return record

    def list(self, offset: int, limit: int | None) -> tuple[list[IntentRecord], int]:
        return self._store.list_intents(offset, limit)

    def patch(self, intent_id: str, patch: dict[str, Any]) -> Outcome:
        started = time.perf_counter()
        timings = Timings()
        processor = self._processor
        with processor.locks.hold(intent_id, timeout=_LOCK_WAIT) as mine:
            if not mine:
                raise conflict(f"intent {intent_id} is being worked on; try again shortly")
            record = self.get(intent_id)
            if record.api == intake.API_SEED:
                raise conflict(
                    f"intent {intent_id} was created in the seed form (POST /intent-gateway/v1/intents); "
                    "change it by deleting it and posting it again"
                )
            if record.lifecycle_status == State.DELETING:
                raise conflict(f"intent {intent_id} is being deleted")
            body = intake.patched_attributes(record.body, patch)
            if body == record.body:
                timings.total = time.perf_counter() - started
                return Outcome(record, timings)
            submission = intake.tmf921_submission({**body, "id": intent_id}, None)
            blueprint = self._blueprint(submission.blueprint_hint, intake.API_TMF921)
            rendered, _ = self._render_holding(
                blueprint, intent_id, submission.envelope, intake.API_TMF921, held_by(record.requests), record.package
            )
            timings.render = rendered.seconds
            record.body, record.envelope, record.blueprint = submission.body, submission.envelope, blueprint.name
            record.findings, record.report_28312 = rendered.findings, rendered.report_28312
            record.version += 1
            record.updated_at = now()
            current = record.pending_digest if record.pending_files is not None else None
            current = current or (record.published.digest if record.published else None)
            self.emit(
                event("IntentAttributeValueChangeEvent", {"intent": intent_resource(record, self.settings.public_url)})
            )
            if rendered.digest == current:
                self._store.save_intent(record)  # what is deployed does not change
            else:
                record.pending_files, record.pending_digest = rendered.files, rendered.digest
                record.requests = rendered.requests
                next_revision = (record.published.revision + 1) if record.published else 1
                processor.transition(
                    record, State.CREATED, f"changed; rendered again, publishing revision {next_revision}"
                )
                steps = processor.advance(intent_id, resume=False)
                timings.publish, timings.publish_queue = steps.publish, steps.publish_queue
                timings.provision = steps.provision
        timings.total = time.perf_counter() - started
        return Outcome(self.get(intent_id), timings)

    def delete(self, intent_id: str) -> Outcome:
        processor = self._processor
        with processor.locks.hold(intent_id, timeout=_LOCK_WAIT) as mine:
            if not mine:
                raise conflict(f"intent {intent_id} is being worked on; try again shortly")
            record = self.get(intent_id)
            if record.lifecycle_status != State.DELETING:
                record.attempts, record.next_attempt_at = 0, 0.0
                processor.transition(record, State.DELETING, "deleting: last revision, then the ProvisioningRequests")
            processor.advance(intent_id, resume=False)
            remaining = self._store.get_intent(intent_id)
        if remaining is None:
            return Outcome(record, done=True)
        return Outcome(remaining, done=False)

    # --- reports ---------------------------------------------------------------------------------
    def reports(self, intent_id: str) -> tuple[IntentRecord, list[ReportRecord]]:
        record = self.get(intent_id)
        return record, self._store.reports(intent_id)

    def report(self, intent_id: str, report_id: str) -> tuple[IntentRecord, ReportRecord]:
        record = self.get(intent_id)
        found = self._store.report(intent_id, int(report_id)) if report_id.isdigit() else None
        if found is None:
            raise not_found(f"intent {intent_id} has no report {report_id}")
        return record, found

    def report_body(self, report: ReportRecord, record: IntentRecord) -> dict[str, Any]:
        return report_resource(report, record, self.settings.public_url)

    # --- hubs ------------------------------------------------------------------------------------
    def create_hub(self, callback: str, query: str | None) -> HubRecord:
        from urllib.parse import urlsplit

        parts = urlsplit(callback)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            message = f"callback {callback!r} must be an absolute http or https URL"
            raise unprocessable(message, Problem(message, "callback"))
        try:
            event_types = parse_event_filter(query)
        except ValueError as err:
            raise unprocessable(str(err), Problem(str(err), "query")) from None
        hub = HubRecord(intake.new_id(), callback, query or "", event_types, now())
        self._store.insert_hub(hub)
        return hub

    def get_hub(self, hub_id: str) -> HubRecord:
        hub = self._store.get_hub(hub_id)
        if hub is None:
            raise not_found(f"no hub {hub_id}")
        return hub

    def delete_hub(self, hub_id: str) -> None:
        if not self._store.delete_hub(hub_id):
            raise not_found(f"no hub {hub_id}")
