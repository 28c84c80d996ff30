"""The promotion commands on the command line: ``slo evaluate``, ``mj list|get|results|serve``, ``rollback``.

``add_commands`` registers them on a parser's subcommands (o2imsctl calls it); ``main`` is a
standalone entry with the same commands (``python -m o2krm.promotion``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from o2krm.promotion.outcome import Outcome

EXIT_CODES = f"""exit codes of slo evaluate: {Outcome.PASSED} every gate passed; {Outcome.FAILED} a gate failed \
(measured values broke a target); {Outcome.NO_DATA} no data or stale data (fails closed); {Outcome.EVALUATING} \
still evaluating (too few samples, or a failure within failureLimit); {Outcome.ERROR} error (Prometheus \
unreachable, a query Prometheus refused, bad input, a failed rollback); 2 usage"""

DEBUG_ENV = "O2IMSCTL_DEBUG"


def _duration(text: str) -> float:
    from o2krm.cli.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _revision(text: str) -> int:
    value = text.removeprefix("v")
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a revision number such as 2 or v2")
    return int(value)


def _handler(name: str) -> Any:
    """The command ``name`` of ``commands``, imported when it runs: registering stays cheap."""

    def run(ctx: Any) -> int:
        from o2krm.promotion import commands

        return int(getattr(commands, name)(ctx))

    run.__name__ = name
    return run


def add_commands(groups: Any, parents: Sequence[argparse.ArgumentParser], epilog: str = "") -> None:
    """Add the ``slo``, ``mj`` and ``rollback`` commands to ``groups`` (an ``add_subparsers()`` result)."""
    text = f"{epilog}\n\n{EXIT_CODES}" if epilog else EXIT_CODES

    def leaf(parent: Any, name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser = parent.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=list(parents),
            epilog=text,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.set_defaults(handler=handler)
        return parser

    def published(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
        group = parser.add_argument_group("published package revisions (Porch git layout)")
        group.add_argument(
            "--repo", required=required, metavar="REPO", help="git repository the package revisions are published in"
        )
        group.add_argument(
            "--package", required=required, metavar="PKG", help="package name (default: the Kptfile's name)"
        )
        group.add_argument("--directory", default="", metavar="DIR", help="directory of the packages in the repository")
        group.add_argument("--branch", default="main", metavar="BRANCH", help="deployment branch (default: main)")

    slo = groups.add_parser("slo", help="SLO gates: evaluate against Prometheus").add_subparsers(
        dest="verb", metavar="VERB"
    )
    evaluate = leaf(
        slo,
        "evaluate",
        "evaluate SLOGates against Prometheus: one SLOGate file, every gate of a package directory, "
        "the gate of a ProvisioningRequest (--pr, or a ProvisioningRequest file), or the gates of a "
        "published revision (--repo --package [--revision])",
        _handler("slo_evaluate"),
    )
    evaluate.add_argument(
        "source",
        nargs="?",
        metavar="PATH",
        help="SLOGate file, package directory or ProvisioningRequest file (default: .)",
    )
    evaluate.add_argument("--pr", metavar="NAME", help="only the gate holding this ProvisioningRequest")
    evaluate.add_argument(
        "--prometheus", metavar="URL", help="Prometheus HTTP API base URL (default: each MeasurementJob's provider)"
    )
    evaluate.add_argument(
        "--watch", action="store_true", help="re-evaluate every evaluationPeriod until pass, fail or --timeout"
    )
    evaluate.add_argument(
        "--timeout", type=_duration, metavar="DURATION", help="give up watching after this long (default 10m)"
    )
    evaluate.add_argument(
        "--rollback", action="store_true", help="when a gate fails, republish the previous good revision"
    )
    evaluate.add_argument(
        "--revision", type=_revision, metavar="N", help="published revision to evaluate (default: the latest)"
    )
    evaluate.add_argument(
        "--update-report",
        action="store_true",
        help="write the verdict into the package's IntentReport (FULFILLED, or NOT_FULFILLED/DEGRADED)",
    )
    published(evaluate)

    mj = groups.add_parser(
        "mj", aliases=["measurementjob", "measurementjobs"], help="O2 IMS measurement jobs"
    ).add_subparsers(dest="verb", metavar="VERB")

    def job_source(parser: argparse.ArgumentParser, *, prometheus: bool) -> None:
        parser.add_argument(
            "-f", "--filename", default=".", metavar="PATH", help="package directory or file (default: .)"
        )
        parser.add_argument("--server", metavar="URL", help="an O2 IMS API (e.g. mj serve) instead of a local package")
        if prometheus:
            parser.add_argument("--prometheus", metavar="URL", help="Prometheus HTTP API base URL (local package only)")

    job_source(leaf(mj, "list", "list measurement jobs", _handler("mj_list")), prometheus=False)
    get = leaf(mj, "get", "show one measurement job", _handler("mj_get"))
    get.add_argument("job_id", metavar="ID", help="performanceMeasurementJobId, name or consumerPerformanceJobId")
    job_source(get, prometheus=False)
    results = leaf(
        mj, "results", "the latest value of each measurement of a job, from Prometheus", _handler("mj_results")
    )
    results.add_argument("job_id", metavar="ID", help="performanceMeasurementJobId, name or consumerPerformanceJobId")
    job_source(results, prometheus=True)
    serve = leaf(mj, "serve", "serve the O2 IMS measurement-job API for a package", _handler("mj_serve"))
    serve.add_argument("-f", "--filename", default=".", metavar="PATH", help="package directory (default: .)")
    serve.add_argument("--prometheus", metavar="URL", help="Prometheus HTTP API base URL for results")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")

    back = leaf(
        groups,
        "rollback",
        "republish the previous good revision of a package as a new revision, recording why",
        _handler("rollback"),
    )
    published(back, required=True)
    back.add_argument(
        "--from", dest="from_revision", type=_revision, metavar="N", help="the failing revision (default: the latest)"
    )
    back.add_argument(
        "--to", type=_revision, metavar="N", help="the revision to restore (default: the previous good one)"
    )
    back.add_argument("--reason", required=True, help="why: written into the commit message and the IntentReport")


def _global_flags() -> argparse.ArgumentParser:
    flags = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = flags.add_argument_group("global flags")
    group.add_argument("-o", "--output", choices=("table", "json", "yaml", "name", "message"), help="output format")
    group.add_argument("-v", "--verbose", action="count", help="diagnostics on stderr")
    group.add_argument(
        "--request-timeout", type=_duration, metavar="DURATION", help="timeout of each HTTP request (default 10s)"
    )
    return flags


def build_parser() -> argparse.ArgumentParser:
    common = _global_flags()
    root = argparse.ArgumentParser(
        prog="python -m o2krm.promotion",
        description="SLO-gated promotion: evaluate SLOGates, query measurement jobs, roll back.",
        epilog=EXIT_CODES,
        parents=[common],
    )
    groups = root.add_subparsers(dest="group", metavar="COMMAND")
    add_commands(groups, [common])
    openapi = groups.add_parser("openapi", help="print the measurement-job service's OpenAPI document")
    openapi.set_defaults(handler=_print_openapi)
    return root


class _Context:
    def __init__(self, args: Any) -> None:
        self.args = args
        self.stdout = sys.stdout
        self.stderr = sys.stderr


def _print_openapi(ctx: Any) -> int:
    from o2krm.promotion.render import to_json
    from o2krm.promotion.service import openapi_document

    ctx.stdout.write(to_json(openapi_document()) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from o2krm.cli.errors import CliError, UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return int(exit_request.code or 0)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            raise UsageError("missing command; see --help")
        return int(handler(_Context(args)))
    except CliError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return int(err.code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"error: internal error: {type(err).__name__}: {err} (set {DEBUG_ENV}=1 for a traceback)", file=sys.stderr
        )
        return 1
