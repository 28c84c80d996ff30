"""Exit codes and the errors that map onto them.

Every failure the CLI knows about is a ``CliError``; ``app.main`` prints its message on stderr
and exits with its code. Anything else is a bug and gets a one-line message too (a traceback
only when ``O2IMSCTL_DEBUG`` is set).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # anything not listed below: bad input, API errors, unreachable server, failed health check
    USAGE = 2  # unknown command or flag, bad flag value
    NOT_FOUND = 3  # the named ProvisioningRequest does not exist (or vanished while waiting)
    TIMEOUT = 4  # `pr wait` gave up before the condition was met
    PROVISIONING_FAILED = 5  # `pr wait` saw provisioningState "failed"


class CliError(Exception):
    code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CliError):
    code = ExitCode.USAGE


class NotFoundError(CliError):
    code = ExitCode.NOT_FOUND


class WaitTimeoutError(CliError):
    code = ExitCode.TIMEOUT


class ProvisioningFailedError(CliError):
    code = ExitCode.PROVISIONING_FAILED
