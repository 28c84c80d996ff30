"""Rolling a package back: republish its previous good revision as a new revision.

Nothing is rewritten or force-pushed. If ``edge-ran/v2`` failed its gates and ``edge-ran/v1`` was
good, the rollback publishes ``edge-ran/v3`` with v1's files (through ``o2krm.porch.publish``, so
the Porch layout, the render check and the no-force rules all apply) and the history keeps all
three. What changed besides the files of v1:

- the intent's IntentReport says NOT_FULFILLED / DEGRADED with the failing targets and values;
- the commit message says why, and ends with two lines a later rollback reads back::

      O2krm-Rollback-Of: edge-ran/v2
      O2krm-Restores: edge-ran/v1

"Previous good" is the newest revision before the failing one that no rollback has named as failed.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from o2krm.porch.checks import RenderCheck
from o2krm.porch.errors import PublishError
from o2krm.porch.layout import TAGS, PackagePath
from o2krm.porch.publish import Publication, list_revisions, publish_revision, read_revision
from o2krm.promotion.report import apply_results, degrade
from o2krm.promotion.report_files import ReportEdit, edit_reports
from o2krm.promotion.sources import bundle_from_files
from o2krm.promotion.verdict import GateResult, Phase, TargetStatus, format_value

TRAILER_ROLLBACK_OF = "O2krm-Rollback-Of"
TRAILER_RESTORES = "O2krm-Restores"
_ROLLBACK_OF = re.compile(rf"^{TRAILER_ROLLBACK_OF}:\s*(\S+)\s*$", re.MULTILINE)

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Rollback:
    package: PackagePath
    failed: int
    restored: int
    publication: Publication
    reports: tuple[ReportEdit, ...]
    warnings: tuple[str, ...]
    message: str

    @property
    def tag(self) -> str:
        return self.publication.tag or ""


def failed_revisions(messages: Mapping[int, str], package: PackagePath) -> set[int]:
    """Revisions that a rollback commit names as failed."""
    failed: set[int] = set()
    for message in messages.values():
        for tag in _ROLLBACK_OF.findall(message):
            revision = package.revision_of_tag(tag)
            if revision is not None:
                failed.add(revision)
    return failed


def previous_good(revisions: Sequence[int], failed: set[int], failing: int) -> int | None:
    """The newest revision older than ``failing`` that is not known to have failed."""
    candidates = [n for n in revisions if n < failing and n not in failed]
    return max(candidates, default=None)


def rollback_message(
    package: PackagePath, failing: int, restored: int, results: Sequence[GateResult], reason: str
) -> str:
    lines = [f"Roll back {package.full} to v{restored}: {_why(package, failing, results, reason)}"]
    for result in results:
        if result.phase not in (Phase.FAILED, Phase.ERROR):
            continue
        gate = result.gate
        where = ", ".join(
            part
            for part in (
                f"ProvisioningRequest {gate.request_name}" if gate.request_name else "",
                f"site {gate.site}" if gate.site else "",
            )
            if part
        )
        lines += ["", f"SLOGate {gate.name}{f' ({where})' if where else ''}: {result.phase} ({result.reason})"]
        for target in result.targets:
            if target.status == TargetStatus.HELD and not target.violations:
                continue
            unit = f" {target.target.unit}" if target.target.unit else ""
            measured = (
                f"measured {format_value(target.value)}{unit}"
                if target.status not in (TargetStatus.NO_DATA, TargetStatus.ERROR)
                else target.message
            )
            lines.append(f"- {target.target.metric}: {measured}, required {target.target.describe_requirement()}")
    if reason:
        lines += ["", reason.strip()]
    lines += ["", f"{TRAILER_ROLLBACK_OF}: {package.tag(failing)}", f"{TRAILER_RESTORES}: {package.tag(restored)}"]
    return "\n".join(lines)


def roll_back(
    repo: str,
    pkg: str,
    *,
    results: Sequence[GateResult] = (),
    reason: str = "",
    at: float,
    failing: int | None = None,
    to: int | None = None,
    directory: str = "",
    branch: str = "main",
    check: RenderCheck | None = None,
    log: Log = _quiet,
) -> Rollback:
    """Publish the previous good revision of ``pkg`` again, as a new revision, with the reason recorded."""
    package = PackagePath.parse(pkg, directory)
    revisions = list_revisions(repo, pkg, directory=directory)
    if not revisions:
        raise PublishError(f"{repo} has no published revision of {package.full}", hint="publish one with o2krm-publish")
    failing = failing if failing is not None else max(revisions)
    if failing not in revisions:
        raise PublishError(f"{package.full} has no revision {failing} in {repo} (published: {_listing(revisions)})")
    messages = revision_messages(repo, package, revisions)
    if to is None:
        to = previous_good(sorted(revisions), failed_revisions(messages, package), failing)
        if to is None:
            raise PublishError(
                f"{package.tag(failing)} has no earlier good revision to roll back to "
                f"(published: {_listing(revisions)})",
                hint="fix the package and publish a new revision, or give the revision with --to",
            )
    elif to not in revisions or to == failing:
        raise PublishError(f"cannot roll {package.tag(failing)} back to v{to} (published: {_listing(revisions)})")
    log(f"restoring {package.tag(to)} (failed: {package.tag(failing)})")

    old = read_revision(repo, pkg, to, directory=directory)
    message = rollback_message(package, failing, to, results, reason)
    files, edits, warnings = _with_reports(old.files, package, failing, to, results, reason, at)
    for warning in warnings:
        log(f"warning: {warning}")
    with tempfile.TemporaryDirectory(prefix="o2krm-rollback-") as tmp:
        source = Path(tmp) / package.name
        dataclasses.replace(old, files=files).write_to(source)
        publication = publish_revision(
            repo, pkg, source, message, directory=directory, branch=branch, check=check, log=log
        )
    return Rollback(package, failing, to, publication, tuple(edits), tuple(warnings), message)


def revision_messages(repo: str, package: PackagePath, revisions: Mapping[int, str]) -> dict[int, str]:
    """Commit message of each published revision (N -> message)."""
    from o2krm.porch.git import Scratch

    refs = {n: TAGS + tag for n, tag in revisions.items()}
    with tempfile.TemporaryDirectory(prefix="o2krm-history-") as tmp:
        scratch = Scratch(Path(tmp) / "repo", repo)
        scratch.fetch(refs.values())
        return {n: scratch.message(scratch.commit_of(ref)) for n, ref in refs.items()}


def _with_reports(
    files: Mapping[str, bytes],
    package: PackagePath,
    failing: int,
    restored: int,
    results: Sequence[GateResult],
    reason: str,
    at: float,
) -> tuple[dict[str, bytes], list[ReportEdit], list[str]]:
    bundle = bundle_from_files(f"{package.tag(restored)}", files)
    texts = {path: content.decode("utf-8") for path, content in files.items() if path.endswith((".yaml", ".yml"))}
    context = f"rolled back from {package.tag(failing)} to the files of {package.tag(restored)}"
    intents = sorted({r.gate.intent for r in results if r.gate.intent})
    if results:
        edits, warnings = edit_reports(
            bundle, texts, intents, lambda spec: apply_results(spec, results, at=at, context=context)
        )
    else:
        intents = sorted({str(doc.data.get("metadata", {}).get("name")) for doc in bundle.reports})
        reasons = [reason or "rolled back by an operator", context]
        edits, warnings = edit_reports(bundle, texts, intents, lambda spec: degrade(spec, reasons, at=at))
    out = dict(files)
    for edit in edits:
        out[edit.path] = edit.text.encode("utf-8")
    return out, edits, warnings


def _why(package: PackagePath, failing: int, results: Sequence[GateResult], reason: str) -> str:
    if results:
        failed = [r for r in results if r.phase in (Phase.FAILED, Phase.ERROR)]
        return f"{len(failed)} of {len(results)} SLO gate(s) of {package.tag(failing)} failed"
    return f"{package.tag(failing)} rolled back by an operator"


def _listing(revisions: Mapping[int, str]) -> str:
    return ", ".join(f"v{n}" for n in sorted(revisions)) or "none"
