"""o2imsctl's entry point: parse the command line, run the command, map failures to exit codes.

Data goes to stdout, diagnostics to stderr; exit codes are in ``errors.ExitCode``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from o2krm.cli.errors import CliError, ExitCode, UsageError

DEBUG_ENV = "O2IMSCTL_DEBUG"


def main(argv: Sequence[str] | None = None) -> int:
    from o2krm.cli.commands import HANDLERS, error_text
    from o2krm.cli.context import Context
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
        print(error_text(err), file=sys.stderr)
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
