"""Finding SLOGates, MeasurementJobs, ProvisioningRequests and IntentReports in YAML: one file, a
package directory, or the files of a published package revision.

``Bundle`` holds what was found; ``gates_for`` picks the gates a command was asked about
(all of them, or the one holding a ProvisioningRequest) and pairs each with its MeasurementJob.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError, Finding
from o2krm.promotion.gates import Gate, Job, is_gate, is_job, read_gate, read_job

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Document:
    path: str  # relative to the bundle's root ("" root: as given)
    index: int  # position in a multi-document file
    documents_in_file: int
    data: Mapping[str, Any]


@dataclass
class Bundle:
    """The resources of interest in a set of YAML files; ``where`` describes the set for messages."""

    where: str
    gates: list[Gate] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    requests: list[Document] = field(default_factory=list)
    reports: list[Document] = field(default_factory=list)

    def job_for(self, gate: Gate) -> Job:
        for job in self.jobs:
            if job.name == gate.job_name and job.meta.namespace == gate.meta.namespace:
                return job
        hint = (
            "set spec.measurementJobRef.name to the MeasurementJob's name"
            if gate.spec.measurement_job_ref is None
            else "add that MeasurementJob (slo-gate-inject generates it beside the gate) or fix the reference"
        )
        raise DomainError(
            Finding(
                f"{gate.describe()}: MeasurementJob {gate.job_name!r} is not in {self.where}; {hint}",
                "error",
                "spec.measurementJobRef.name",
                gate.job_name,
            )
        )

    def job_by_id(self, job_id: str) -> Job | None:
        """A job by its O2 IMS performanceMeasurementJobId, its name or its consumerPerformanceJobId."""
        for key in ("job_id", "name", "consumer_job_id"):
            found = [job for job in self.jobs if getattr(job, key) == job_id]
            if found:
                return found[0]
        return None

    def gates_for(self, request: str | None = None) -> list[tuple[Gate, Job]]:
        """The gates asked for, each with its job: all of them, or those holding ``request``."""
        gates = self.gates
        if request is not None:
            gates = [g for g in gates if g.request_name == request]
            if not gates:
                held = sorted({g.request_name for g in self.gates if g.request_name})
                raise DomainError(
                    Finding(
                        f"no SLOGate in {self.where} holds ProvisioningRequest {request!r}"
                        + (f" (gated requests: {', '.join(held)})" if held else ""),
                        "error",
                    )
                )
        if not gates:
            raise DomainError(
                Finding(
                    f"no SLOGate ({v.SLOGATE_API}) in {self.where}; render the package with slo-gate-inject first",
                    "error",
                )
            )
        return [(gate, self.job_for(gate)) for gate in gates]

    def reports_for(self, intent: str) -> list[Document]:
        return [doc for doc in self.reports if _name(doc.data) == intent]


def bundle_from_path(path: Path) -> Bundle:
    """Everything in ``path`` (a YAML file, or a directory read recursively, hidden entries skipped)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _visible(p.relative_to(path)) and _is_yaml(p))
        return bundle_from_texts(str(path), ((p.relative_to(path).as_posix(), _read(p)) for p in files))
    if path.is_file():
        return bundle_from_texts(str(path), [(str(path), _read(path))])
    raise DomainError(Finding(f"{path} does not exist; give a SLOGate file or a package directory", "error"))


def bundle_from_files(where: str, files: Mapping[str, bytes]) -> Bundle:
    """Everything in a package revision's files (path -> content)."""
    texts = ((path, _decode(path, content)) for path, content in sorted(files.items()) if _is_yaml(Path(path)))
    return bundle_from_texts(where, texts)


def bundle_from_texts(where: str, texts: Iterable[tuple[str, str]]) -> Bundle:
    from o2krm.sdk import yamlio

    bundle = Bundle(where)
    problems: list[Finding] = []
    for path, text in texts:
        try:
            documents = [d for d in yamlio.load_all(text) if d is not None]
        except Exception as err:  # yaml.YAMLError and its C-loader relatives
            problems.append(Finding(f"{path}: not valid YAML: {_first_line(err)}", "error"))
            continue
        for index, data in enumerate(documents):
            if isinstance(data, dict):
                _collect(bundle, Document(path, index, len(documents), data), problems)
    if problems:
        raise DomainError(problems)
    return bundle


def requests_in(bundle: Bundle) -> Sequence[str]:
    return [name for doc in bundle.requests if (name := _name(doc.data))]


def _collect(bundle: Bundle, doc: Document, problems: list[Finding]) -> None:
    data = doc.data
    origin = doc.path if doc.documents_in_file == 1 else f"{doc.path}#{doc.index}"
    try:
        if is_gate(data):
            bundle.gates.append(read_gate(data, origin))
        elif is_job(data):
            bundle.jobs.append(read_job(data, origin))
    except DomainError as err:
        problems.extend(err.findings)
        return
    if data.get("kind") == v.PR_KIND and str(data.get("apiVersion", "")).startswith(v.PR_API.split("/")[0] + "/"):
        bundle.requests.append(doc)
    elif data.get("kind") == v.INTENT_REPORT_KIND and str(data.get("apiVersion", "")).startswith("intent.3gpp.org/"):
        bundle.reports.append(doc)


def _name(data: Mapping[str, Any]) -> str | None:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else None


def _visible(relative: Path) -> bool:
    return not any(part.startswith(".") for part in relative.parts)


def _is_yaml(path: Path) -> bool:
    return path.suffix in YAML_SUFFIXES


def _read(path: Path) -> str:
    try:
        return _decode(str(path), path.read_bytes())
    except OSError as err:
        raise DomainError(Finding(f"cannot read {path}: {err.strerror}", "error")) from None


def _decode(path: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(Finding(f"{path} is not UTF-8 text", "error")) from None


def _first_line(err: Exception) -> str:
    return " ".join(str(err).split())
