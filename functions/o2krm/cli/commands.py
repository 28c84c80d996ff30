"""The commands: each reads its arguments from the Context, talks to the backend, prints, returns an exit code."""

from __future__ import annotations

from typing import Any

from o2krm.cli import output, resource
from o2krm.cli.backend import FAIL, Check, ControllerRef, Object
from o2krm.cli.context import Context
from o2krm.cli.errors import CliError, ExitCode, NotFoundError, UsageError

DEFAULT_CONTROLLER_NAMESPACE = "o2ims-system"
A_WEEK = 7 * 24 * 3600.0
FAKE_NOTE = "fake mode: this is the simulated O-Cloud of o2imsctl --fake, not a cluster"


# --- pr --------------------------------------------------------------------------------------


def pr_create(ctx: Context) -> int:
    from o2krm.cli.reading import read_documents
    from o2krm.cli.validation import ValidationMode, validate

    fmt = ctx.output_format("message", ("message", *output.FORMATS))
    ctx.note_cluster_scope()
    try:
        mode = ValidationMode.parse(ctx.args.validate)
    except ValueError as err:
        raise UsageError(f"--validate: {err}") from None
    documents = read_documents(ctx.args.source, ctx.stdin)
    invalid = []
    for label, doc in documents:
        report = validate(doc, mode)
        for warning in report.warnings:
            ctx.warn(f"{label}: {warning}")
        if report.errors:
            invalid.append(
                f"{label} is not a valid ProvisioningRequest:\n"
                + "\n".join(f"  {problem}" for problem in report.errors)
            )
    if invalid:
        raise CliError("\n".join(invalid) + "\nnothing was created")
    if ctx.args.dry_run:
        objects, failures = [doc for _, doc in documents], []
    else:
        objects, failures = [], []
        for label, doc in documents:
            try:
                objects.append(ctx.backend.create(doc))
            except CliError as err:
                failures.append(err)
                print(error_text(err), file=ctx.stderr)
                ctx.log(f"{label} was not created")
    verb = "created (dry run)" if ctx.args.dry_run else "created"
    _print_objects(ctx, objects, fmt, verb)
    return failures[0].code if failures else ExitCode.OK


def pr_get(ctx: Context) -> int:
    fmt = ctx.output_format("table", output.FORMATS)
    ctx.note_cluster_scope()
    obj = ctx.backend.get(ctx.args.name)
    ctx.emit(output.render([obj], fmt, output.PR_COLUMNS, resource.TYPE_NAME, single=True))
    return ExitCode.OK


def pr_list(ctx: Context) -> int:
    fmt = ctx.output_format("table", output.FORMATS)
    ctx.note_cluster_scope()
    items = ctx.backend.list()
    if not items and fmt == "table":
        print("No resources found", file=ctx.stderr)
    ctx.emit(output.render(items, fmt, output.PR_COLUMNS, resource.TYPE_NAME))
    return ExitCode.OK


def pr_delete(ctx: Context) -> int:
    fmt = ctx.output_format("message", ("message", "name"))
    ctx.note_cluster_scope()
    code = ExitCode.OK
    for name in ctx.args.names:
        try:
            ctx.backend.delete(name)
        except NotFoundError as err:
            if not ctx.args.ignore_not_found:
                print(error_text(err), file=ctx.stderr)
                code = code or err.code
            continue
        ctx.emit(f"{resource.TYPE_NAME}/{name}" if fmt == "name" else f'{resource.TYPE_NAME} "{name}" deleted')
    return code


def pr_wait(ctx: Context) -> int:
    from o2krm.cli.waiting import WaitTarget

    fmt = ctx.output_format("message", ("message", *output.FORMATS))
    ctx.note_cluster_scope()
    try:
        target = WaitTarget.parse(ctx.args.condition)
    except ValueError as err:
        raise UsageError(f"--condition: {err}") from None
    timeout = ctx.args.timeout if ctx.args.timeout >= 0 else A_WEEK
    ctx.log(f"waiting up to {timeout:g}s for {target.describe()} on {ctx.args.name}")
    obj = ctx.backend.wait(ctx.args.name, target, timeout)
    if fmt == "message" or obj is None:
        ctx.emit(f"{resource.TYPE_NAME}/{ctx.args.name} condition met")
    else:
        ctx.emit(output.render([obj], fmt, output.PR_COLUMNS, resource.TYPE_NAME, single=True))
    return ExitCode.OK


def _print_objects(ctx: Context, objects: list[Object], fmt: str, verb: str) -> None:
    if fmt == "message":
        for obj in objects:
            ctx.emit(f"{resource.TYPE_NAME}/{resource.name_of(obj)} {verb}")
    elif objects:
        ctx.emit(output.render(objects, fmt, output.PR_COLUMNS, resource.TYPE_NAME, single=len(objects) == 1))


# --- cluster and version ---------------------------------------------------------------------------


def cluster_health(ctx: Context) -> int:
    fmt = ctx.output_format("table", ("table", "yaml", "json"))
    controller = ControllerRef(ctx.option("namespace") or DEFAULT_CONTROLLER_NAMESPACE, ctx.args.controller)
    if ctx.fake:
        print(FAKE_NOTE, file=ctx.stderr)
    checks: list[Check] = ctx.backend.health(controller)
    healthy = all(check.result != FAIL for check in checks)
    rows = [check.as_dict() for check in checks]
    if fmt == "table":
        ctx.emit(output.table(["CHECK", "RESULT", "DETAIL"], [[r["check"], r["result"], r["detail"]] for r in rows]))
    else:
        report = {"mode": "fake" if ctx.fake else "real", "healthy": healthy, "checks": rows}
        ctx.emit(output.to_json(report) if fmt == "json" else output.to_yaml(report))
    if not healthy:
        failed = ", ".join(check.check for check in checks if check.result == FAIL)
        print(f"error: cluster is not healthy: {failed} failed", file=ctx.stderr)
    return ExitCode.OK if healthy else ExitCode.ERROR


def cluster_nodes(ctx: Context) -> int:
    return _cluster_listing(ctx, "nodes", output.NODE_COLUMNS, "node")


def cluster_namespaces(ctx: Context) -> int:
    return _cluster_listing(ctx, "namespaces", output.NAMESPACE_COLUMNS, "namespace")


def _cluster_listing(ctx: Context, what: str, columns: output.Columns, type_name: str) -> int:
    fmt = ctx.output_format("table", output.FORMATS)
    if ctx.fake:
        print(FAKE_NOTE, file=ctx.stderr)
    items = ctx.backend.nodes() if what == "nodes" else ctx.backend.namespaces()
    if not items and fmt == "table":
        print("No resources found", file=ctx.stderr)
    ctx.emit(output.render(items, fmt, columns, type_name))
    return ExitCode.OK


def version(ctx: Context) -> int:
    from o2krm import __version__

    fmt = ctx.output_format("message", ("message", "yaml", "json"))
    report: dict[str, Any] = {"clientVersion": {"gitVersion": __version__}}
    if not ctx.args.client:
        report["serverVersion"] = ctx.backend.server_version()
    if fmt == "message":
        ctx.emit(f"Client Version: {__version__}")
        server = report.get("serverVersion")
        if server:
            platform = f" ({server['platform']})" if ctx.fake and server.get("platform") else ""
            ctx.emit(f"Server Version: {server.get('gitVersion', 'unknown')}{platform}")
    else:
        ctx.emit(output.to_json(report) if fmt == "json" else output.to_yaml(report))
    return ExitCode.OK


HANDLERS = {
    "pr_create": pr_create,
    "pr_get": pr_get,
    "pr_list": pr_list,
    "pr_delete": pr_delete,
    "pr_wait": pr_wait,
    "cluster_health": cluster_health,
    "cluster_nodes": cluster_nodes,
    "cluster_namespaces": cluster_namespaces,
    "version": version,
}


def error_text(err: CliError) -> str:
    """kubectl's wording: server errors as the server said them, everything else prefixed with "error: "."""
    return err.message if err.message.startswith("Error from server") else f"error: {err.message}"
