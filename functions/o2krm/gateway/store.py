"""Durable storage: intents, their reports and hub listeners in one SQLite file (stdlib sqlite3).

WAL journal, ``synchronous=FULL``: a write the gateway has answered for is on disk, so a killed
gateway loses nothing it confirmed, and readers never wait for the writer. Each thread gets
its own connection. Records are JSON documents with the few columns that are queried (state,
insertion order) beside them, so adding a field to a record needs no migration.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS intents (
    id    TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL UNIQUE,
    state TEXT NOT NULL,
    data  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_state ON intents(state);
CREATE TABLE IF NOT EXISTS reports (
    intent_id TEXT NOT NULL REFERENCES intents(id) ON DELETE CASCADE,
    number    INTEGER NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (intent_id, number)
);
CREATE TABLE IF NOT EXISTS hubs (
    id   TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL UNIQUE,
    data TEXT NOT NULL
);
"""


class DuplicateError(Exception):
    """A record with this id exists already."""


class StoreError(Exception):
    """The database cannot be opened or is not a gateway database."""


@dataclass
class Publication:
    revision: int
    tag: str
    commit: str
    digest: str  # of the rendered files published


@dataclass
class IntentRecord:
    id: str
    form: str  # the KRM apiVersion the intent is rendered as (tmf921.intent.tmforum.org/v5 or /v1)
    api: str  # the API it came through: "tmf921" or "seed"
    body: dict[str, Any]  # TMF921 v5 fields as the client gave them (the seed form: name and description)
    envelope: dict[str, Any]  # the TMF921 intent resource that is rendered
    blueprint: str
    package: str  # the package name in the deployment repository
    lifecycle_status: str
    created_at: str
    updated_at: str
    status_changed_at: str
    reason: str = ""  # why it is in this state (failures, retries), one line
    version: int = 1
    pending_files: dict[str, str] | None = None  # rendered, not yet published
    pending_digest: str = ""
    published: Publication | None = None
    tombstone_published: bool = False  # deleting: the last, empty revision is out
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> ProvisioningRequest (desired)
    provisioned: dict[str, str] = field(default_factory=dict)  # name -> fingerprint of what was created
    request_states: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {state, message}
    findings: list[dict[str, Any]] = field(default_factory=list)  # render warnings
    report_28312: dict[str, Any] | None = None  # the TS 28.312 IntentReport the render produced
    attempts: int = 0
    next_attempt_at: float = 0.0

    def to_json(self) -> str:
        # Field by field rather than dataclasses.asdict, which deep-copies the rendered package.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["published"] = asdict(self.published) if self.published is not None else None
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> IntentRecord:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        if data.get("published") is not None:
            data["published"] = Publication(**data["published"])
        return cls(**data)


@dataclass(frozen=True)
class Watched:
    """An intent as the reconciler watches it: its requests' names and the states last seen."""

    id: str
    provisioned: tuple[str, ...]
    request_states: dict[str, Any]


@dataclass
class ReportRecord:
    intent_id: str
    number: int
    created_at: str
    lifecycle_status: str
    handling_state: str  # TIO imo:IntentHandlingState local name
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ReportRecord:
        return cls(**json.loads(text))


@dataclass
class HubRecord:
    id: str
    callback: str
    query: str
    event_types: list[str]  # empty: every event
    created_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> HubRecord:
        return cls(**json.loads(text))


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connection()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path} was written by a newer gateway (schema {version}); upgrade o2krm")
        db.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;")

    # --- connections ---------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
            except sqlite3.DatabaseError as err:
                raise StoreError(f"cannot open the gateway database {self.path}: {err}") from None
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # Writers of this process queue on a lock of their own: waiting on SQLite's busy handler
        # instead means sleeping in steps of up to 100 ms after the database is free again.
        db = self._connection()
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._connections.clear()
        self._local = threading.local()

    # --- intents -------------------------------------------------------------------------------
    def insert_intent(self, record: IntentRecord, first_report: ReportRecord | None = None) -> None:
        with self._transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM intents").fetchone()[0]
            try:
                db.execute(
                    "INSERT INTO intents (id, seq, state, data) VALUES (?, ?, ?, ?)",
                    (record.id, seq, record.lifecycle_status, record.to_json()),
                )
            except sqlite3.IntegrityError:
                raise DuplicateError(record.id) from None
            if first_report is not None:
                self._insert_report(db, first_report)

    def save_intent(self, record: IntentRecord, report: ReportRecord | None = None) -> ReportRecord | None:
        """Update the intent and, in the same transaction, add ``report`` (numbered here)."""
        with self._transaction() as db:
            updated = db.execute(
                "UPDATE intents SET state = ?, data = ? WHERE id = ?",
                (record.lifecycle_status, record.to_json(), record.id),
            ).rowcount
            if not updated:
                raise KeyError(record.id)
            if report is not None:
                return self._insert_report(db, report)
        return None

    def get_intent(self, intent_id: str) -> IntentRecord | None:
        row = self._connection().execute("SELECT data FROM intents WHERE id = ?", (intent_id,)).fetchone()
        return IntentRecord.from_json(row[0]) if row else None

    def list_intents(self, offset: int = 0, limit: int | None = None) -> tuple[list[IntentRecord], int]:
        db = self._connection()
        total = db.execute("SELECT COUNT(*) FROM intents").fetchone()[0]
        rows = db.execute(
            "SELECT data FROM intents ORDER BY seq LIMIT ? OFFSET ?", (-1 if limit is None else limit, offset)
        ).fetchall()
        return [IntentRecord.from_json(row[0]) for row in rows], total

    def intents_in(self, states: Iterable[str]) -> list[IntentRecord]:
        wanted = sorted(set(states))
        marks = ", ".join("?" for _ in wanted)
        rows = (
            self._connection()
            .execute(f"SELECT data FROM intents WHERE state IN ({marks}) ORDER BY seq", wanted)
            .fetchall()
        )
        return [IntentRecord.from_json(row[0]) for row in rows]

    def watched(self, states: Iterable[str]) -> list[Watched]:
        """Of every intent in ``states``, what watching its ProvisioningRequests needs (its
        requests' names and last seen states), without reading the whole record: the
        reconciler asks this for every intent, every poll."""
        wanted = sorted(set(states))
        marks = ", ".join("?" for _ in wanted)
        try:
            rows = (
                self._connection()
                .execute(
                    "SELECT id, json_extract(data, '$.provisioned'), json_extract(data, '$.request_states') "
                    f"FROM intents WHERE state IN ({marks}) ORDER BY seq",
                    wanted,
                )
                .fetchall()
            )
        except sqlite3.OperationalError:  # an SQLite without JSON functions: read the records
            return [Watched(r.id, tuple(r.provisioned), r.request_states) for r in self.intents_in(wanted)]
        return [
            Watched(intent_id, tuple(json.loads(provisioned or "{}")), json.loads(seen or "{}"))
            for intent_id, provisioned, seen in rows
        ]

    def delete_intent(self, intent_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM intents WHERE id = ?", (intent_id,)).rowcount > 0

    def count_by_state(self) -> dict[str, int]:
        rows = self._connection().execute("SELECT state, COUNT(*) FROM intents GROUP BY state").fetchall()
        return {state: count for state, count in sorted(rows)}

    # --- reports -------------------------------------------------------------------------------
    @staticmethod
    def _insert_report(db: sqlite3.Connection, report: ReportRecord) -> ReportRecord:
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM reports WHERE intent_id = ?", (report.intent_id,)
        ).fetchone()[0]
        report.number = number
        db.execute(
            "INSERT INTO reports (intent_id, number, data) VALUES (?, ?, ?)",
            (report.intent_id, number, report.to_json()),
        )
        return report

    def reports(self, intent_id: str) -> list[ReportRecord]:
        rows = (
            self._connection()
            .execute("SELECT data FROM reports WHERE intent_id = ? ORDER BY number", (intent_id,))
            .fetchall()
        )
        return [ReportRecord.from_json(row[0]) for row in rows]

    def report(self, intent_id: str, number: int) -> ReportRecord | None:
        row = (
            self._connection()
            .execute("SELECT data FROM reports WHERE intent_id = ? AND number = ?", (intent_id, number))
            .fetchone()
        )
        return ReportRecord.from_json(row[0]) if row else None

    # --- hubs ----------------------------------------------------------------------------------
    def insert_hub(self, hub: HubRecord) -> None:
        with self._transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM hubs").fetchone()[0]
            try:
                db.execute("INSERT INTO hubs (id, seq, data) VALUES (?, ?, ?)", (hub.id, seq, hub.to_json()))
            except sqlite3.IntegrityError:
                raise DuplicateError(hub.id) from None

    def get_hub(self, hub_id: str) -> HubRecord | None:
        row = self._connection().execute("SELECT data FROM hubs WHERE id = ?", (hub_id,)).fetchone()
        return HubRecord.from_json(row[0]) if row else None

    def hubs(self) -> list[HubRecord]:
        rows = self._connection().execute("SELECT data FROM hubs ORDER BY seq").fetchall()
        return [HubRecord.from_json(row[0]) for row in rows]

    def delete_hub(self, hub_id: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM hubs WHERE id = ?", (hub_id,)).rowcount > 0
