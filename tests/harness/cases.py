"""Golden example cases in the kpt function catalog layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from o2krm.sdk import yamlio
from o2krm.sdk.runner import KrmFunction

REPO = Path(__file__).resolve().parents[2]
FNS = REPO / "functions" / "o2krm" / "fns"


@dataclass
class Case:
    function: str  # console script name
    root: Path
    test_type: str = "eval"
    exit_code: int = 0
    args: dict[str, str] = field(default_factory=dict)
    fn_config: str | None = None
    skip: str = ""

    @property
    def id(self) -> str:
        return f"{self.function}/{self.root.name}"

    @property
    def expected(self) -> Path:
        return self.root / ".expected"

    def config_object(self, files: dict[str, str]) -> dict[str, Any] | None:
        if self.fn_config:
            return yamlio.load(files[self.fn_config])
        if self.args:
            return {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "function-input"},
                "data": {k: str(v) for k, v in self.args.items()},
            }
        return None


@cache
def scripts() -> dict[str, str]:
    """Console script name -> function module, for every function this project installs."""
    return {
        ep.name: ep.value.partition(":")[0]
        for ep in entry_points(group="console_scripts")
        if ep.value.startswith("o2krm.fns.")
    }


def function(name: str) -> KrmFunction:
    import importlib

    return importlib.import_module(scripts()[name]).FUNCTION  # type: ignore[no-any-return]


def discover() -> list[Case]:
    by_dir = {module: name for name, module in scripts().items()}
    cases: list[Case] = []
    for config_path in sorted(FNS.glob("*/examples/*/.expected/config.yaml")):
        root = config_path.parent.parent
        module = "o2krm.fns." + root.parent.parent.name
        config = yamlio.load(config_path.read_text()) or {}
        cases.append(
            Case(
                function=by_dir.get(module, root.parent.parent.name),
                root=root,
                test_type=str(config.get("testType", "eval")),
                exit_code=int(config.get("exitCode", 0)),
                args={str(k): str(v) for k, v in (config.get("args") or {}).items()},
                fn_config=config.get("fnConfig"),
                skip=str(config.get("skip") or ""),
            )
        )
    return cases
