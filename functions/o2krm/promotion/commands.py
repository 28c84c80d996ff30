"""The commands: ``slo evaluate``, ``mj list|get|results|serve``, ``rollback``.

A handler takes a context with ``args``, ``stdout`` and ``stderr`` (o2imsctl's ``Context`` is one)
and returns the exit code; failures it knows about are ``o2krm.cli.errors.CliError``s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from o2krm.cli.errors import CliError, NotFoundError, UsageError
from o2krm.oran.findings import DomainError
from o2krm.promotion import render
from o2krm.promotion.prometheus import DEFAULT_TIMEOUT
from o2krm.promotion.verdict import GateResult, Outcome, Phase

DEFAULT_WATCH_TIMEOUT = 600.0


class Ctx(Protocol):
    args: Any
    stdout: TextIO
    stderr: TextIO


def _option(ctx: Ctx, name: str, default: Any = None) -> Any:
    value = getattr(ctx.args, name, None)
    return default if value is None else value


def _format(ctx: Ctx, default: str, allowed: Sequence[str]) -> str:
    fmt = _option(ctx, "output", default)
    if fmt not in allowed:
        raise UsageError(f"-o {fmt} is not supported here; use one of: {', '.join(allowed)}")
    return str(fmt)


def _emit(ctx: Ctx, text: str) -> None:
    if text:
        ctx.stdout.write(text if text.endswith("\n") else text + "\n")


def _say(ctx: Ctx, text: str) -> None:
    print(text, file=ctx.stderr)


def _log(ctx: Ctx, text: str) -> None:
    if _option(ctx, "verbose", 0):
        print(f"o2imsctl: {text}", file=ctx.stderr)


def _http_timeout(ctx: Ctx) -> float:
    return float(_option(ctx, "request_timeout", DEFAULT_TIMEOUT))


def _domain(err: DomainError) -> CliError:
    return CliError("\n".join(f.message for f in err.findings))


# --- where the gates come from ---------------------------------------------------------------------


@dataclass(frozen=True)
class GateSource:
    bundle: Any  # sources.Bundle
    pairs: list[Any]  # evaluation.Pair
    local_root: Path | None  # the package directory when read from disk
    package: str | None  # the Porch package name, when known
    revision: int | None  # the published revision evaluated


def _gate_source(ctx: Ctx) -> GateSource:
    from o2krm.promotion.evaluation import Pair
    from o2krm.promotion.sources import bundle_from_files, bundle_from_path, requests_in

    args = ctx.args
    repo, package, revision = _option(ctx, "repo"), _option(ctx, "package"), _option(ctx, "revision")
    request = _option(ctx, "pr")
    try:
        if args.source is None and repo:
            if not package:
                raise UsageError("--repo needs --package: the package whose published revision to evaluate")
            revision, files = _published(ctx, repo, package, revision)
            bundle = bundle_from_files(f"{package}/v{revision}", files)
            root = None
        else:
            path = Path(args.source or ".")
            if revision is not None:
                raise UsageError("--revision applies to a published package (--repo, --package, no PATH)")
            bundle = bundle_from_path(path)
            root = path if path.is_dir() else None
            if path.is_file() and not bundle.gates and bundle.requests and request is None:
                names = list(requests_in(bundle))
                bundle = bundle_from_path(path.parent)
                root = path.parent
                pairs = [pair for name in names for pair in bundle.gates_for(name)]
                return GateSource(bundle, [Pair(g, j) for g, j in pairs], root, package or _kptfile_name(root), None)
            package = package or (_kptfile_name(root) if root else None)
        pairs = bundle.gates_for(request)
    except DomainError as err:
        raise _domain(err) from None
    return GateSource(bundle, [Pair(g, j) for g, j in pairs], root, package, revision)


def _published(ctx: Ctx, repo: str, package: str, revision: int | None) -> tuple[int, Any]:
    from o2krm.porch.errors import PublishError
    from o2krm.porch.publish import list_revisions, read_revision

    directory = _option(ctx, "directory", "")
    try:
        if revision is None:
            revisions = list_revisions(repo, package, directory=directory)
            if not revisions:
                raise NotFoundError(f"{repo} has no published revision of {package}")
            revision = max(revisions)
        _log(ctx, f"reading {package}/v{revision} from {repo}")
        return revision, read_revision(repo, package, revision, directory=directory).files
    except PublishError as err:
        raise CliError(str(err)) from None


def _kptfile_name(root: Path | None) -> str | None:
    if root is None or not (root / "Kptfile").is_file():
        return None
    from o2krm.sdk import yamlio

    try:
        data = yamlio.load((root / "Kptfile").read_text(encoding="utf-8"))
    except Exception:
        return None
    name = (data.get("metadata") or {}).get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


# --- slo evaluate ----------------------------------------------------------------------------------


def slo_evaluate(ctx: Ctx) -> int:
    from o2krm.promotion.evaluation import NoPrometheus, PrometheusUnavailable, clients, evaluate_once, watch

    args = ctx.args
    fmt = _format(ctx, "table", ("table", "json", "yaml"))
    if args.rollback and not _option(ctx, "repo"):
        raise UsageError("--rollback needs --repo: the git repository the package revisions are published in")
    source = _gate_source(ctx)
    if args.update_report and source.local_root is None:
        raise UsageError("--update-report writes into a package directory; give its PATH")
    prometheus = _option(ctx, "prometheus")
    try:
        with clients(_http_timeout(ctx)) as pool:
            if args.watch:
                timeout = args.timeout if args.timeout is not None else DEFAULT_WATCH_TIMEOUT
                results, decided = watch(
                    source.pairs,
                    pool,
                    prometheus=prometheus,
                    timeout=timeout,
                    on_evaluation=lambda n, r: _progress(ctx, n, r),
                )
                if not decided:
                    _say(ctx, f"timed out after {timeout:g}s: not every gate passed or failed")
            else:
                results = evaluate_once(source.pairs, pool, prometheus=prometheus, at=time.time())
    except (PrometheusUnavailable, NoPrometheus) as err:
        raise CliError(str(err)) from None
    except DomainError as err:
        raise _domain(err) from None

    document = render.evaluation_dict(results, {p.gate.name: _address(p, prometheus) for p in source.pairs})
    failure: CliError | None = None
    if args.update_report and source.local_root is not None:
        _update_local_reports(ctx, source, results)
    if args.rollback:
        try:
            document["rollback"] = _rollback_after(ctx, source, results)
        except CliError as err:
            failure = err
    _emit(ctx, render.evaluation_table(results) if fmt == "table" else render.formatted(document, fmt))
    if fmt == "table" and document.get("rollback"):
        _emit(ctx, _rollback_line(document["rollback"]))
    if failure is not None:
        raise failure
    return int(render.worst_outcome(results))


def _address(pair: Any, override: str | None) -> str:
    return override or pair.job.prometheus_address or ""


def _progress(ctx: Ctx, count: int, results: list[GateResult]) -> None:
    for result in results:
        _say(ctx, f"evaluation {count}: {result.gate.name}: {result.phase} ({result.reason}): {result.message}")


def _update_local_reports(ctx: Ctx, source: GateSource, results: list[GateResult]) -> None:
    from o2krm.promotion.report import apply_results
    from o2krm.promotion.report_files import edit_reports

    root = source.local_root
    assert root is not None
    texts = {doc.path: (root / doc.path).read_text(encoding="utf-8") for doc in source.bundle.reports}
    intents = sorted({r.gate.intent for r in results if r.gate.intent})
    at = max(r.evaluated_at for r in results)
    edits, warnings = edit_reports(source.bundle, texts, intents, lambda spec: apply_results(spec, results, at=at))
    for warning in warnings:
        _say(ctx, f"Warning: {warning}")
    for edit in edits:
        (root / edit.path).write_text(edit.text, encoding="utf-8")
        _say(ctx, f"updated IntentReport {edit.intent} in {root / edit.path}")


def _rollback_after(ctx: Ctx, source: GateSource, results: list[GateResult]) -> dict[str, Any] | None:
    failed = [r for r in results if r.phase == Phase.FAILED]
    acting = [r for r in failed if r.gate.spec.rollback.action == "Rollback"]
    for result in failed:
        if result not in acting:
            _say(
                ctx,
                f"{result.gate.name} failed; its rollback action is {result.gate.spec.rollback.action}: "
                "not rolling back",
            )
    if not acting:
        if not failed:
            _log(ctx, "no gate failed: nothing to roll back")
        return None
    package = source.package
    if not package:
        raise UsageError("--rollback needs --package (or a package directory with a Kptfile)")
    outcome = _roll_back(ctx, package, results=results, reason="", failing=source.revision, to=None)
    return outcome


def _roll_back(
    ctx: Ctx, package: str, *, results: Sequence[GateResult], reason: str, failing: int | None, to: int | None
) -> dict[str, Any]:
    from o2krm.porch.errors import PublishError
    from o2krm.promotion.rollback import roll_back

    try:
        done = roll_back(
            _option(ctx, "repo"),
            package,
            results=results,
            reason=reason,
            at=max((r.evaluated_at for r in results), default=time.time()),
            failing=failing,
            to=to,
            directory=_option(ctx, "directory", ""),
            branch=_option(ctx, "branch", "main"),
            log=lambda text: _log(ctx, text),
        )
    except PublishError as err:
        raise CliError(f"rollback failed: {err}") from None
    for warning in done.warnings:
        _say(ctx, f"Warning: {warning}")
    return {
        "package": done.package.full,
        "failedRevision": done.package.tag(done.failed),
        "restoredRevision": done.package.tag(done.restored),
        "publishedRevision": done.tag,
        "commit": done.publication.commit,
        "updatedReports": [edit.path for edit in done.reports],
    }


def _rollback_line(rollback: dict[str, Any]) -> str:
    return (
        f"rolled back: published {rollback['publishedRevision']} with the files of {rollback['restoredRevision']} "
        f"({rollback['failedRevision']} failed)"
    )


# --- rollback --------------------------------------------------------------------------------------


def rollback(ctx: Ctx) -> int:
    fmt = _format(ctx, "message", ("message", "json", "yaml"))
    args = ctx.args
    if not args.reason.strip():
        raise UsageError("--reason must say why: it goes into the commit message and the IntentReport")
    done = _roll_back(ctx, args.package, results=(), reason=args.reason, failing=args.from_revision, to=args.to)
    _emit(ctx, _rollback_line(done) if fmt == "message" else render.formatted(done, fmt))
    return int(Outcome.PASSED)


# --- mj --------------------------------------------------------------------------------------------


def mj_list(ctx: Ctx) -> int:
    fmt = _format(ctx, "table", ("table", "json", "yaml", "name"))
    jobs = _remote(ctx).list() if _option(ctx, "server") else _local_jobs(ctx)
    if not jobs and fmt == "table":
        _say(ctx, "No resources found")
        return 0
    if fmt == "table":
        _emit(ctx, render.jobs_table(jobs))
    elif fmt == "name":
        _emit(ctx, "\n".join(f"measurementjob/{j.performanceMeasurementJobId}" for j in jobs))
    else:
        _emit(ctx, render.formatted([j.model_dump(mode="json") for j in jobs], fmt))
    return 0


def mj_get(ctx: Ctx) -> int:
    fmt = _format(ctx, "table", ("table", "json", "yaml", "name"))
    job_id = ctx.args.job_id
    if _option(ctx, "server"):
        job = _remote(ctx).get(job_id)
    else:
        from o2krm.promotion.o2ims_api import job_info

        found = _local_bundle(ctx).job_by_id(job_id)
        if found is None:
            raise NotFoundError(f'measurementjob "{job_id}" not found in {_option(ctx, "filename", ".")}')
        job = job_info(found)
    if fmt == "table":
        _emit(ctx, render.jobs_table([job]))
    elif fmt == "name":
        _emit(ctx, f"measurementjob/{job.performanceMeasurementJobId}")
    else:
        _emit(ctx, render.formatted(job.model_dump(mode="json"), fmt))
    return 0


def mj_results(ctx: Ctx) -> int:
    fmt = _format(ctx, "table", ("table", "json", "yaml"))
    job_id = ctx.args.job_id
    if _option(ctx, "server"):
        results = _remote(ctx).results(job_id)
    else:
        from o2krm.promotion.evaluation import NoPrometheus, PrometheusUnavailable, clients, live_results

        bundle = _local_bundle(ctx)
        job = bundle.job_by_id(job_id)
        if job is None:
            raise NotFoundError(f'measurementjob "{job_id}" not found in {_option(ctx, "filename", ".")}')
        try:
            with clients(_http_timeout(ctx)) as pool:
                results = live_results(bundle, job, pool, prometheus=_option(ctx, "prometheus"), at=time.time())
        except (PrometheusUnavailable, NoPrometheus) as err:
            raise CliError(str(err)) from None
    _emit(
        ctx, render.results_table(results) if fmt == "table" else render.formatted(results.model_dump(mode="json"), fmt)
    )
    return 1 if any(r.status == "ERROR" for r in results.results) else 0


def mj_serve(ctx: Ctx) -> int:
    from o2krm.promotion.service import serve

    path = Path(_option(ctx, "filename", "."))
    try:
        serve(
            path,
            prometheus=_option(ctx, "prometheus"),
            host=ctx.args.host,
            port=ctx.args.port,
            timeout=_http_timeout(ctx),
        )
    except DomainError as err:
        raise _domain(err) from None
    return 0


def _local_bundle(ctx: Ctx) -> Any:
    from o2krm.promotion.sources import bundle_from_path

    try:
        return bundle_from_path(Path(_option(ctx, "filename", ".")))
    except DomainError as err:
        raise _domain(err) from None


def _local_jobs(ctx: Ctx) -> list[Any]:
    from o2krm.promotion.o2ims_api import job_info

    return sorted((job_info(j) for j in _local_bundle(ctx).jobs), key=lambda j: j.performanceMeasurementJobId)


def _remote(ctx: Ctx) -> Any:
    from o2krm.promotion.remote import RemoteJobs

    return RemoteJobs(_option(ctx, "server"), timeout=_http_timeout(ctx))
