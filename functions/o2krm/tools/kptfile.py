"""o2krm-kptfile: switch a package's Kptfile between exec entries (local) and image entries (Porch).

    o2krm-kptfile --to image packages/edge-ran    # exec: pr-generate -> image: ghcr.io/o2krm/pr-generate:v0.1.0
    o2krm-kptfile --to exec packages/edge-ran     # and back

Only entries naming an o2krm function change; the rest of the Kptfile keeps its bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from o2krm import __version__
from o2krm.sdk import yamlio

REGISTRY = "ghcr.io/o2krm"
FUNCTIONS = ("intent-translate", "pr-generate", "network-config", "slo-gate-inject", "policy-validate", "set-labels")


def image_of(function: str, registry: str = REGISTRY, version: str = __version__) -> str:
    return f"{registry}/{function}:v{version}"


def function_of(image: str, registry: str = REGISTRY) -> str | None:
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    name = repository.rsplit("/", 1)[-1]
    return name if repository == f"{registry}/{name}" and name in FUNCTIONS else None


def switch(text: str, to: str, registry: str = REGISTRY, version: str = __version__) -> str:
    """The Kptfile text with its o2krm pipeline entries as ``image`` or ``exec`` entries.

    Each entry's ``exec: <fn>`` and ``image: <ref>`` swap in place (same line, same position);
    every other byte stays.
    """
    root = yamlio.compose(text)
    edits: list[tuple[int, int, str]] = []
    for entry in _pipeline_entries(root):
        for key_node, value_node in entry.value:
            if not isinstance(value_node, yamlio.ScalarNode):
                continue
            if to == "image" and key_node.value == "exec" and value_node.value in FUNCTIONS:
                replacement = "image: " + image_of(value_node.value, registry, version)
            elif to == "exec" and key_node.value == "image" and (name := function_of(value_node.value, registry)):
                replacement = "exec: " + name
            else:
                continue
            edits.append((key_node.start_mark.index, value_node.end_mark.index, replacement))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _pipeline_entries(root: Any) -> list[Any]:
    def child(node: Any, key: str) -> Any:
        if isinstance(node, yamlio.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    return value_node
        return None

    pipeline = child(root, "pipeline")
    entries = []
    for section in ("mutators", "validators"):
        steps = child(pipeline, section)
        if isinstance(steps, yamlio.SequenceNode):
            entries.extend(step for step in steps.value if isinstance(step, yamlio.MappingNode))
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="o2krm-kptfile", description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path)
    parser.add_argument("--to", choices=("image", "exec"), required=True)
    parser.add_argument("--registry", default=REGISTRY)
    parser.add_argument("--version", default=__version__, help="image tag version (default: this o2krm's)")
    args = parser.parse_args(argv)
    path = args.package / "Kptfile"
    try:
        text = path.read_text(encoding="utf-8")
        path.write_text(switch(text, args.to, args.registry, args.version), encoding="utf-8")
    except (OSError, ValueError, yamlio.YAMLError) as exc:
        print(f"o2krm-kptfile: {path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
