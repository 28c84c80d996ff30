"""Exit codes of ``slo evaluate``, in a module of their own so that registering the commands is cheap."""

from __future__ import annotations

from enum import IntEnum


class Outcome(IntEnum):
    """1 and 2 are o2imsctl's error and usage codes; 3-5 belong to its other commands."""

    PASSED = 0
    ERROR = 1
    FAILED = 6  # measured values broke a target more often than failureLimit allows
    NO_DATA = 7  # no data or stale data: the gate cannot pass (fail closed)
    EVALUATING = 8  # fresh data, but too few samples or a tolerated failure: not a pass yet
