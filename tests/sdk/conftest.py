from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from o2krm.fns.set_labels import FUNCTION


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def data(self) -> dict:
        from o2krm.sdk import yamlio

        return yamlio.load(self.out)


def run_function(text: str, *argv: str, function=FUNCTION) -> Run:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    code = function.run(list(argv), io.StringIO(text), out, err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> Callable[..., Run]:
    return run_function
