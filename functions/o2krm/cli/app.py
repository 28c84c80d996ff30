"""o2imsctl: entry point, options, and the commands.

Data goes to stdout, diagnostics to stderr; exit codes are in ``errors.ExitCode``. Real-mode
modules (lightkube, asyncio) are imported only once a real cluster is needed, so that fake-mode
commands start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from o2krm.cli import output, resource
from o2krm.cli.backend import FAIL, Backend, Check, ControllerRef, Object
from o2krm.cli.errors import CliError, ExitCode, NotFoundError, UsageError

DEBUG_ENV = "O2IMSCTL_DEBUG"
DEFAULT_CONTROLLER_NAMESPACE = "o2ims-system"
DEFAULT_REQUEST_TIMEOUT = 30.0
A_WEEK = 7 * 24 * 3600.0
FAKE_NOTE = "fake mode: this is the simulated O-Cloud of o2imsctl --fake, not a cluster"


@dataclass
class Context:
    """Everything a command needs besides its own arguments."""

    args: Any
    env: Mapping[str, str]
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    _backend: Backend | None = None

    def option(self, name: str, default: Any = None) -> Any:
        return getattr(self.args, name, default)

    @property
    def verbosity(self) -> int:
        return int(self.option("verbose", 0) or 0)

    @property
    def fake(self) -> bool:
        return bool(self.option("fake", False))

    def log(self, message: str) -> None:
        if self.verbosity:
            print(f"o2imsctl: {message}", file=self.stderr)

    def warn(self, message: str) -> None:
        print(f"Warning: {message}", file=self.stderr)

    def emit(self, text: str) -> None:
        if text:
            self.stdout.write(text if text.endswith("\n") else text + "\n")

    def output_format(self, default: str, allowed: Sequence[str]) -> str:
        fmt = self.option("output") or default
        if fmt not in allowed:
            raise UsageError(f"-o {fmt} is not supported here; use one of: {', '.join(allowed)}")
        return fmt

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"]) if self.env.get("HOME") else Path.home()

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._make_fake() if self.fake else self._make_real()
        return self._backend

    def _make_fake(self) -> Backend:
        from o2krm.cli import fake_ocloud
        from o2krm.cli.durations import parse_duration
        from o2krm.cli.fake_backend import FakeBackend, FakeSettings
        from o2krm.cli.fake_state import state_path

        for flag in ("kubeconfig", "context"):
            if self.option(flag):
                self.log(f"--{flag} is ignored in fake mode")
        capacity = self.option("fake_capacity")
        source = "--fake-capacity"
        if capacity is None:
            capacity, source = (
                self.env.get(fake_ocloud.CAPACITY_ENV) or fake_ocloud.DEFAULT_CAPACITY,
                fake_ocloud.CAPACITY_ENV,
            )
        try:
            fake_ocloud.parse_capacity(capacity)
        except ValueError as err:
            raise (UsageError if source.startswith("--") else CliError)(f"{source}: {err}") from None
        seconds = self.option("fake_provision_time")
        if seconds is None:
            text = self.env.get(fake_ocloud.PROVISION_TIME_ENV)
            try:
                seconds = parse_duration(text) if text else fake_ocloud.DEFAULT_PROVISION_SECONDS
            except ValueError as err:
                raise CliError(f"{fake_ocloud.PROVISION_TIME_ENV}: {err}") from None
        if seconds < 0:
            raise UsageError("the fake provisioning time must not be negative")
        settings = FakeSettings(state_path(self.env, self.home), capacity, seconds)
        return FakeBackend(settings, self.log)

    def _make_real(self) -> Backend:
        for flag in ("fake_capacity", "fake_provision_time"):
            if self.option(flag) is not None:
                raise UsageError(f"--{flag.replace('_', '-')} needs --fake")
        from o2krm.cli import kubeconfig

        resolved = kubeconfig.resolve(self.option("kubeconfig"), self.env, self.home)
        self.log(f"kubeconfig from {resolved.origin}: {', '.join(map(str, resolved.files))}")
        for skipped in resolved.skipped:
            self.log(f"KUBECONFIG entry {skipped} does not exist; skipped")
        selection = kubeconfig.select(resolved, self.option("context"))
        from o2krm.cli.real_backend import RealBackend, single_config

        timeout = self.option("request_timeout")
        return RealBackend(
            single_config(resolved, selection),
            DEFAULT_REQUEST_TIMEOUT if timeout is None else timeout,
            self.log,
            verbose=self.verbosity > 0,
        )

    def note_cluster_scope(self) -> None:
        namespace = self.option("namespace")
        if namespace:
            self.log(f"ProvisioningRequests are cluster-scoped; --namespace {namespace} does not apply")


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
                print(_error_text(err), file=ctx.stderr)
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
                print(_error_text(err), file=ctx.stderr)
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


# --- entry point -------------------------------------------------------------------------------


def _error_text(err: CliError) -> str:
    return err.message if err.message.startswith("Error from server") else f"error: {err.message}"


def main(argv: Sequence[str] | None = None) -> int:
    from o2krm.cli.parser import build_parser

    parser = build_parser(HANDLERS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse: --help (0) or a usage error (2), already printed
        return int(exit_request.code or 0)
    ctx = Context(args=args, env=os.environ, stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr)
    handler = ctx.option("handler")
    try:
        if handler is None:
            group = ctx.option("group")
            raise UsageError(f"missing command; see: o2imsctl {group + ' ' if group else ''}--help")
        return int(handler(ctx))
    except CliError as err:
        print(_error_text(err), file=sys.stderr)
        return int(err.code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`o2imsctl pr list | head -1`): stop quietly, as other CLIs do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.OK
    except Exception as err:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"error: internal error: {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for a traceback)", file=sys.stderr
        )
        return int(ExitCode.ERROR)
