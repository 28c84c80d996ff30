"""o2krm-render: render a kpt package with its Kptfile pipeline.

Uses ``kpt fn render --allow-exec`` on a copy of the package when kpt is installed, and
``kubectl kustomize`` (exec plugins, see kustomize.py) otherwise. Writes the rendered
package to ``--out`` (default: ``rendered/<package name>``) and prints its resources.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from o2krm.sdk import yamlio
from o2krm.tools import kustomize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="o2krm-render", description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path)
    parser.add_argument("--out", type=Path, help="where to write the rendered package")
    parser.add_argument("--engine", choices=("auto", "kpt", "kustomize"), default="auto")
    parser.add_argument("--quiet", action="store_true", help="do not print the rendered resources")
    args = parser.parse_args(argv)
    package: Path = args.package
    if not (package / "Kptfile").is_file():
        print(f"o2krm-render: {package} is not a kpt package (no Kptfile)", file=sys.stderr)
        return 1
    engine = args.engine
    if engine == "auto":
        engine = "kpt" if shutil.which("kpt") else "kustomize"
        if engine == "kustomize":
            print("o2krm-render: kpt not found, rendering with kubectl kustomize", file=sys.stderr)
    out: Path = args.out or Path("rendered") / package.resolve().name
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(package, out)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if engine == "kpt":
        proc = subprocess.run(["kpt", "fn", "render", str(out), "--allow-exec"], env=env, check=False)
        if proc.returncode != 0:
            return 1
        text = _package_text(out)
    else:
        code, text = _render_with_kustomize(out, env)
        if code != 0:
            return 1
    print(f"o2krm-render: rendered {package} into {out} with {engine}", file=sys.stderr)
    if not args.quiet:
        sys.stdout.write(text)
    return 0


def _render_with_kustomize(package: Path, env: dict[str, str]) -> tuple[int, str]:
    kptfile = yamlio.load((package / "Kptfile").read_text(encoding="utf-8"))
    steps = kustomize.pipeline_steps(kptfile)
    resources = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.y*ml")
        if p.name != "kustomization.yaml" and not any(part.startswith(".") for part in p.relative_to(package).parts)
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for resource in resources:
            (workdir / resource).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(package / resource, workdir / resource)
        plugins = kustomize.write_kustomization(workdir, resources, steps)
        proc = kustomize.build(workdir, plugins, env)
    sys.stderr.write(proc.stderr)
    if proc.returncode == 0:
        (package / "rendered.yaml").write_text(proc.stdout, encoding="utf-8")
    return proc.returncode, proc.stdout


def _package_text(package: Path) -> str:
    parts = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and (path.suffix in (".yaml", ".yml") or path.name == "Kptfile"):
            parts.append(f"# {path.relative_to(package).as_posix()}\n{path.read_text(encoding='utf-8')}")
    return "---\n".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
