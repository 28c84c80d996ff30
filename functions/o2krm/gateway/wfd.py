"""The WF-D end-to-end run (scripts/wf_d_e2e.sh): one TMF921 intent through the whole workflow.

Stages, per mode (fake: o2imsctl's fake O-Cloud, no cluster; real: a cluster from a kubeconfig):
build, unit tests (once), cluster smoke test (real only), gateway start, intent (POST
/intent-gateway/v1/intents), TS 28.312 translation, ProvisioningRequests (validated against the
CRD, present in the O-Cloud), render (the published revision renders unchanged), publish (Porch
layout: the tag, no open drafts), wait (requests fulfilled, intent Provisioned), SLO gate
(``o2imsctl slo evaluate`` on the published revision: it needs a Prometheus; without one the gate
is reported *not evaluated*, never passed), report (the intent's TMF921 reports), cleanup
(DELETE the intent: last revision, requests deleted).

Artifacts go to ``artifacts/wf-d-e2e-<UTC timestamp>/``: test.log (everything), build.log,
unit-tests.log, test-pr.yaml (the ProvisioningRequests generated), report.md, and per mode the
gateway log, the intent and its reports as JSON and the published package.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

REPO_ROOT = Path(__file__).resolve().parents[3]
SEED = "/intent-gateway/v1/intents"
API = "/tmf-api/intentManagement/v5"
PASS, FAIL, SKIP, NOT_EVALUATED = "PASS", "FAIL", "SKIP", "NOT EVALUATED"
DEFAULT_UNIT_TESTS = "tests/cli tests/gateway --ignore=tests/gateway/test_scripts.py -q -p no:cacheprovider"
SLO_EXIT = {0: "passed", 6: "failed: measured values broke a target", 7: "failed closed: no fresh measurements",
            8: "still evaluating: too few samples"}  # fmt: skip


@dataclass
class Stage:
    mode: str
    name: str
    status: str
    detail: str
    seconds: float


@dataclass
class Context:
    args: argparse.Namespace
    artifacts: Path
    log: TextIO
    stages: list[Stage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    slo_lines: list[str] = field(default_factory=list)

    def say(self, text: str, *, console: bool = True) -> None:
        self.log.write(text + "\n")
        self.log.flush()
        if console or self.args.verbose:
            print(text, flush=True)

    def run(self, command: Sequence[str], *, env: dict[str, str] | None = None, log: Path | None = None,
            timeout: float = 600, check: bool = False) -> subprocess.CompletedProcess[str]:  # fmt: skip
        self.say(f"$ {' '.join(command)}", console=False)
        proc = subprocess.run(
            list(command), capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=timeout, check=False
        )
        output = proc.stdout + proc.stderr
        self.say(output.rstrip() if output.strip() else "(no output)", console=False)
        if log is not None:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(f"$ {' '.join(command)}\n{output}\nexit code {proc.returncode}\n\n")
        if check and proc.returncode != 0:
            raise StageError(f"{' '.join(command[:3])} exited {proc.returncode}: {_tail(output)}")
        return proc


class StageError(Exception):
    pass


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(no output)"


@contextlib.contextmanager
def stage(ctx: Context, mode: str, name: str) -> Iterator[dict[str, str]]:
    """Time a stage; it passes unless it raises. ``result["detail"]``/``["status"]`` may be set."""
    result = {"status": PASS, "detail": ""}
    started = time.perf_counter()
    ctx.say(f"--- [{mode}] {name}", console=False)
    broken = False
    try:
        yield result
    except (StageError, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as err:
        result["status"], result["detail"], broken = FAIL, str(err), True
    seconds = time.perf_counter() - started
    ctx.stages.append(Stage(mode, name, result["status"], result["detail"], seconds))
    ctx.say(f"[{mode}] {name:<22} {result['status']:<13} {seconds:6.1f}s  {result['detail']}")
    if broken:  # a stage that could not finish stops the mode; a verdict (the SLO gate's) does not
        raise _StopMode()


class _StopMode(Exception):
    pass


# --- the run ---------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    artifacts = (args.artifacts_dir or REPO_ROOT / "artifacts") / f"wf-d-e2e-{stamp}"
    suffix = 1
    while artifacts.exists():
        suffix += 1
        artifacts = artifacts.with_name(f"wf-d-e2e-{stamp}-{suffix}")
    artifacts.mkdir(parents=True)
    with (artifacts / "test.log").open("w", encoding="utf-8") as log:
        ctx = Context(args, artifacts, log)
        ctx.say(f"WF-D end-to-end run, mode {args.mode}; artifacts in {artifacts}")
        modes = ["fake", "real"] if args.mode == "both" else [args.mode]
        with contextlib.suppress(_StopMode):
            _build(ctx)
            _unit_tests(ctx)
        if not any(s.status == FAIL for s in ctx.stages):
            for mode in modes:
                _workflow(ctx, mode)
        (artifacts / "report.md").write_text(_report(ctx, stamp, modes), encoding="utf-8")
        failed = [s for s in ctx.stages if s.status == FAIL]
        slo_missing = [s for s in ctx.stages if s.name == "SLO gate" and s.status != PASS]
        code = 1 if failed or (args.require_slo_pass and slo_missing) else 0
        ctx.say(f"{'FAILED' if code else 'PASSED'}: {len(ctx.stages)} stages, {len(failed)} failed; "
                f"report: {artifacts / 'report.md'}")  # fmt: skip
        return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wf_d_e2e.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("fake", "real", "both"), default="fake")
    parser.add_argument("--kubeconfig", help="real mode: kubeconfig (default: $KUBECONFIG, ~/.kube/config)")
    parser.add_argument("--context", help="real mode: kubeconfig context")
    parser.add_argument("--namespace", default="o2ims-system",
                        help="namespace of the O2 IMS controller for the cluster checks (ProvisioningRequests are "
                        "cluster-scoped); default o2ims-system")  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="print every command and its output")
    parser.add_argument("--no-cleanup", action="store_true", help="keep the intent, its requests and the data")
    parser.add_argument("--artifacts-dir", type=Path, help="parent of wf-d-e2e-<timestamp>/ (default: artifacts/)")
    parser.add_argument("--intent", type=Path, help="TMF921 intent to send (JSON or YAML, seed or v5 form); "
                        "default: packages/edge-ran/intent.yaml")  # fmt: skip
    parser.add_argument("--blueprint", help="blueprint package to render (default: the gateway's, edge-ran)")
    parser.add_argument("--prometheus", default=os.environ.get("PROMETHEUS_URL"),
                        help="Prometheus for the SLO gate (default: $PROMETHEUS_URL)")  # fmt: skip
    parser.add_argument("--require-slo-pass", action="store_true", help="fail the run unless the SLO gate passes")
    parser.add_argument("--skip-unit-tests", action="store_true")
    parser.add_argument(
        "--unit-tests", default=DEFAULT_UNIT_TESTS, help=f"pytest arguments (default: {DEFAULT_UNIT_TESTS})"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for provisioning (default 120)")
    return parser


def _python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("O2KRM_GATEWAY_TOKEN", None)
    return env


def _build(ctx: Context) -> None:
    log = ctx.artifacts / "build.log"
    log.write_text("", encoding="utf-8")
    with stage(ctx, "all", "build") as result:
        ctx.run([sys.executable, "-m", "compileall", "-q", "functions/o2krm"], log=log, check=True)
        versions = []
        for command in (["o2imsctl", "--version"], [sys.executable, "-m", "o2krm.gateway", "--version"]):
            proc = ctx.run(command, env=_python_env(), log=log, check=True)
            versions.append(proc.stdout.strip() or proc.stderr.strip())
        for function in ("intent-translate", "pr-generate", "network-config", "slo-gate-inject", "policy-validate"):
            ctx.run([function, "--version"], env=_python_env(), log=log, check=True)
        result["detail"] = "byte-compiled; " + ", ".join(versions)


def _unit_tests(ctx: Context) -> None:
    log = ctx.artifacts / "unit-tests.log"
    if ctx.args.skip_unit_tests:
        log.write_text("skipped (--skip-unit-tests)\n", encoding="utf-8")
        ctx.stages.append(Stage("all", "unit tests", SKIP, "--skip-unit-tests", 0.0))
        ctx.say(f"[all] {'unit tests':<22} {SKIP}")
        return
    log.write_text("", encoding="utf-8")
    with stage(ctx, "all", "unit tests") as result:
        proc = ctx.run([sys.executable, "-m", "pytest", *ctx.args.unit_tests.split()], env=_python_env(), log=log,
                       timeout=1800)  # fmt: skip
        summary = _tail(proc.stdout, 1)
        if proc.returncode != 0:
            raise StageError(f"pytest exited {proc.returncode}: {summary}")
        result["detail"] = summary


# --- one mode --------------------------------------------------------------------------------------
@dataclass
class Run:
    mode: str
    data: Path
    env: dict[str, str]
    ocloud: list[str]  # o2imsctl flags selecting the O-Cloud
    url: str = ""
    token: str = ""
    intent_id: str = ""
    package: str = ""
    tag: str = ""
    requests: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None

    @property
    def repo(self) -> Path:
        return self.data / "gateway" / "deployments.git"

    def http(self) -> Any:
        import httpx

        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60)


def _workflow(ctx: Context, mode: str) -> None:
    keep = ctx.args.no_cleanup
    data = ctx.artifacts / f"gateway-{mode}" if keep else Path(tempfile.mkdtemp(prefix=f"o2krm-wfd-{mode}-"))
    data.mkdir(parents=True, exist_ok=True)
    env = _python_env()
    ocloud: list[str] = []
    if mode == "fake":
        env["O2KRM_FAKE_STATE"] = str(data / "fake-ocloud.json")
        env.setdefault("O2KRM_FAKE_PROVISION_TIME", "2s")
        ocloud = ["--fake"]
    else:
        if ctx.args.kubeconfig:
            ocloud += ["--kubeconfig", ctx.args.kubeconfig]
        if ctx.args.context:
            ocloud += ["--context", ctx.args.context]
    run = Run(mode, data, env, ocloud)
    try:
        with contextlib.suppress(_StopMode):
            if mode == "real":
                with stage(ctx, mode, "cluster smoke test") as result:
                    proc = ctx.run(["o2imsctl", "cluster", "health", "-n", ctx.args.namespace, *ocloud], env=env)
                    if proc.returncode != 0:
                        raise StageError(_tail(proc.stdout + proc.stderr))
                    result["detail"] = "o2imsctl cluster health: every check passed"
            _start_gateway(ctx, run)
            _intent(ctx, run)
            _translation(ctx, run)
            _provisioning_requests(ctx, run)
            _render(ctx, run)
            _publish(ctx, run)
            _wait(ctx, run)
            _slo_gate(ctx, run)
            _reports(ctx, run)
            if keep:
                ctx.stages.append(Stage(mode, "cleanup", SKIP, f"--no-cleanup: data in {data}", 0.0))
            else:
                _cleanup(ctx, run)
        names = [s.name for s in ctx.stages if s.mode == mode]
        for name in _STAGES[mode]:
            if name not in names:
                ctx.stages.append(Stage(mode, name, SKIP, "an earlier stage failed", 0.0))
    finally:
        _stop_gateway(ctx, run)
        if not keep:
            shutil.rmtree(data, ignore_errors=True)


_COMMON_STAGES = ["gateway", "intent (TMF921)", "TS 28.312", "ProvisioningRequests", "render", "publish", "wait",
                  "SLO gate", "report"]  # fmt: skip
_STAGES = {"fake": [*_COMMON_STAGES, "cleanup"], "real": ["cluster smoke test", *_COMMON_STAGES, "cleanup"]}


def _start_gateway(ctx: Context, run: Run) -> None:
    import httpx

    from o2krm.gateway.loadgen import free_port

    with stage(ctx, run.mode, "gateway") as result:
        port = free_port()
        run.url, run.token = f"http://127.0.0.1:{port}", secrets.token_urlsafe(24)
        token_file = run.data / "token"
        token_file.write_text(run.token, encoding="utf-8")
        token_file.chmod(0o600)
        command = [sys.executable, "-m", "o2krm.gateway", "--port", str(port), "--data-dir", str(run.data / "gateway"),
                   "--token-file", str(token_file), "--mode", run.mode, "--poll-interval", "0.5"]  # fmt: skip
        if run.mode == "real":
            if ctx.args.kubeconfig:
                command += ["--kubeconfig", ctx.args.kubeconfig]
            if ctx.args.context:
                command += ["--context", ctx.args.context]
        if ctx.args.blueprint:
            command += ["--default-blueprint", ctx.args.blueprint]
        ctx.say(f"$ {' '.join(command)}", console=False)
        log = (ctx.artifacts / f"gateway-{run.mode}.log").open("w", encoding="utf-8")
        run.process = subprocess.Popen(command, env=run.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            if run.process.poll() is not None:
                raise StageError(f"the gateway exited with {run.process.returncode}; see gateway-{run.mode}.log")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{run.url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise StageError("the gateway did not answer /health within 60 s")
            time.sleep(0.2)
        result["detail"] = f"{run.url} ({run.mode} O-Cloud, bearer token)"


def _stop_gateway(ctx: Context, run: Run) -> None:
    if run.process is not None and run.process.poll() is None:
        run.process.terminate()
        try:
            run.process.wait(20)
        except subprocess.TimeoutExpired:
            run.process.kill()
        ctx.say(f"[{run.mode}] gateway stopped", console=False)


def _load_intent(path: Path | None) -> dict[str, Any]:
    from o2krm.sdk import yamlio

    source = path or REPO_ROOT / "packages" / "edge-ran" / "intent.yaml"
    text = source.read_text(encoding="utf-8")
    data = json.loads(text) if source.suffix == ".json" else yamlio.load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: not a TMF921 intent")
    return data


def _intent(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "intent (TMF921)") as result:
        intent = _load_intent(ctx.args.intent)
        name = f"wfd-{run.mode}-{datetime.now(UTC).strftime('%H%M%S')}"
        if "apiVersion" in intent:
            intent.setdefault("metadata", {})["name"] = name
            path, body = SEED, intent
        else:
            path, body = f"{API}/intent", {**intent, "id": name}
        with run.http() as client:
            response = client.post(path, json=body)
        (ctx.artifacts / f"intent-{run.mode}.json").write_text(json.dumps(response.json(), indent=2) + "\n")
        if response.status_code != 201:
            raise StageError(f"POST {path} answered {response.status_code}: {response.json().get('message')}")
        answer = response.json()
        status = answer.get("status") or {}
        run.intent_id = name
        run.package = name
        run.tag = str(status.get("packageRevision") or f"{name}/v1")
        run.requests = [row["name"] for row in status.get("provisioningRequests", [])]
        state = status.get("lifecycleStatus") or answer.get("lifecycleStatus")
        if state not in ("Provisioning", "Provisioned"):
            raise StageError(f"answered 201 but the intent is {state}: {status.get('reason', '')}")
        result["detail"] = f"POST {path}: 201, intent {name} is {state}"


def _git(ctx: Context, run: Run, *args: str) -> str:
    return ctx.run(["git", "--git-dir", str(run.repo), *args], check=True).stdout


def _translation(ctx: Context, run: Run) -> None:
    from o2krm.sdk import yamlio

    with stage(ctx, run.mode, "TS 28.312") as result:
        text = _git(ctx, run, "show", f"{run.tag}:{run.package}/intent_{run.intent_id}.yaml")
        translated = yamlio.load(text)
        if translated.get("apiVersion") != "intent.3gpp.org/v1alpha1" or translated["spec"].get("id") != run.intent_id:
            raise StageError("the published revision has no TS 28.312 Intent for the intent")
        expectations = translated["spec"].get("intentExpectations") or []
        result["detail"] = f"intent_{run.intent_id}.yaml: {len(expectations)} expectations, " + ", ".join(
            str(e.get("expectationVerb")) for e in expectations
        )


def _provisioning_requests(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "ProvisioningRequests") as result:
        files = _git(ctx, run, "ls-tree", "--name-only", run.tag, f"{run.package}/").split()
        documents = [
            _git(ctx, run, "show", f"{run.tag}:{path}")
            for path in sorted(files)
            if Path(path).name.startswith("provisioningrequest_")
        ]
        if not documents:
            raise StageError("the published revision holds no ProvisioningRequest")
        with (ctx.artifacts / "test-pr.yaml").open("a", encoding="utf-8") as out:
            out.write(f"# {run.mode} mode: the ProvisioningRequests of {run.tag}\n")
            for text in documents:
                out.write("---\n" + text)
        single = run.data / "test-pr.yaml"
        single.write_text("---\n".join(documents), encoding="utf-8")
        ctx.run(["o2imsctl", "pr", "create", "--from", str(single), "--dry-run", "-o", "name"], env=run.env, check=True)
        for name in run.requests:
            ctx.run(["o2imsctl", "pr", "get", name, *run.ocloud, "-o", "name"], env=run.env, check=True)
        result["detail"] = f"{len(documents)} valid against the CRD (o2imsctl --dry-run), all in the O-Cloud"


def _render(ctx: Context, run: Run) -> None:
    from o2krm.tools import pipeline

    with stage(ctx, run.mode, "render") as result:
        package = ctx.artifacts / f"package-{run.mode}"
        if package.exists():
            shutil.rmtree(package)
        from o2krm.porch.publish import read_revision

        revision = read_revision(str(run.repo), run.package, int(run.tag.rsplit("/v", 1)[1]))
        revision.write_to(package)
        files = pipeline.read_package(package)
        engine = "kpt" if shutil.which("kpt") else "in-process"
        rendered = pipeline.render(files, engine=engine)
        if not rendered.ok:
            raise StageError(f"rendering the published revision failed: {rendered.message}")
        changed = sorted(p for p in set(files) | set(rendered.files) if files.get(p) != rendered.files.get(p))
        if changed:
            raise StageError(f"rendering the published revision again changes {', '.join(changed)}")
        result["detail"] = f"{run.tag} renders unchanged with {engine} ({len(files)} files)"


def _publish(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "publish") as result:
        refs = _git(ctx, run, "for-each-ref", "--format=%(refname)")
        names = refs.split()
        if f"refs/tags/{run.tag}" not in names:
            raise StageError(f"tag {run.tag} is missing")
        open_branches = [r for r in names if r.startswith(("refs/heads/drafts/", "refs/heads/proposed/"))]
        if open_branches:
            raise StageError(f"open drafts/proposed branches left: {', '.join(open_branches)}")
        result["detail"] = f"tag {run.tag} on main, no open drafts (Porch layout)"


def _wait(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "wait") as result:
        timeout = f"{int(ctx.args.timeout)}s"
        for name in run.requests:
            ctx.run(["o2imsctl", "pr", "wait", name, "--condition", "Ready", "--timeout", timeout, *run.ocloud],
                    env=run.env, check=True, timeout=ctx.args.timeout + 30)  # fmt: skip
        state = _poll_state(run, ("Provisioned", "Failed"), ctx.args.timeout)
        if state != "Provisioned":
            raise StageError(f"the intent is {state}")
        result["detail"] = f"{len(run.requests)} ProvisioningRequest(s) fulfilled; intent Provisioned"


def _poll_state(run: Run, wanted: Sequence[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    with run.http() as client:
        while True:
            state = str(client.get(f"{API}/intent/{run.intent_id}").json().get("lifecycleStatus"))
            if state in wanted or time.monotonic() > deadline:
                return state
            time.sleep(0.3)


def _slo_gate(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "SLO gate") as result:
        command = ["o2imsctl", "slo", "evaluate", "--repo", str(run.repo), "--package", run.package, *run.ocloud]
        if ctx.args.prometheus:
            command += ["--prometheus", ctx.args.prometheus]
        proc = ctx.run(command, env=run.env, timeout=300)
        output = (proc.stdout + proc.stderr).strip()
        (ctx.artifacts / f"slo-gate-{run.mode}.txt").write_text(output + "\n", encoding="utf-8")
        if proc.returncode == 0:
            verdict = "passed"
        elif proc.returncode in SLO_EXIT:
            result["status"] = FAIL
            verdict = SLO_EXIT[proc.returncode]
        else:
            result["status"] = NOT_EVALUATED
            verdict = f"not evaluated (no Prometheus): {_tail(output, 1)}"
        ctx.slo_lines.append(f"SLO gate ({run.mode}): {verdict}")
        result["detail"] = f"o2imsctl slo evaluate: {verdict}"


def _reports(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "report") as result, run.http() as client:
        reports = client.get(f"{API}/intent/{run.intent_id}/intentReport").json()
        (ctx.artifacts / f"reports-{run.mode}.json").write_text(json.dumps(reports, indent=2) + "\n")
        states = [r["expression"]["expressionValue"]["o2krm:lifecycleStatus"] for r in reports]
        if not states or states[-1] != "Provisioned":
            raise StageError(f"the reports end in {states[-1] if states else 'nothing'}")
        result["detail"] = f"{len(reports)} TMF921 IntentReports: {' -> '.join(states)}"


def _cleanup(ctx: Context, run: Run) -> None:
    with stage(ctx, run.mode, "cleanup") as result:
        with run.http() as client:
            response = client.delete(f"{API}/intent/{run.intent_id}")
        if response.status_code not in (202, 204):
            raise StageError(f"DELETE answered {response.status_code}: {response.text[:200]}")
        if response.status_code == 204:
            for name in run.requests:
                proc = ctx.run(["o2imsctl", "pr", "get", name, *run.ocloud], env=run.env)
                if proc.returncode != 3:
                    raise StageError(f"ProvisioningRequest {name} is still there after the DELETE")
        result["detail"] = f"DELETE {response.status_code}: empty last revision published, requests deleted"


# --- report.md -------------------------------------------------------------------------------------
def _report(ctx: Context, stamp: str, modes: list[str]) -> str:
    failed = [s for s in ctx.stages if s.status == FAIL]
    lines = [
        "# WF-D end-to-end report",
        "",
        f"- run: {stamp} (UTC), mode {ctx.args.mode}",
        f"- result: **{'FAILED' if failed else 'PASSED'}** ({len(ctx.stages)} stages, {len(failed)} failed)",
        f"- python {sys.version.split()[0]}, kpt {'present' if shutil.which('kpt') else 'absent'}",
        "",
        "| mode | stage | result | time | detail |",
        "|---|---|---|---|---|",
    ]
    for s in ctx.stages:
        detail = s.detail.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {s.mode} | {s.name} | {s.status} | {s.seconds:.1f}s | {detail} |")
    lines += ["", "## SLO gate", ""]
    slo = ctx.slo_lines or ["SLO gate: not evaluated (the run stopped before it)"]
    lines += [f"- {line}" for line in slo]
    lines += [
        "",
        "A gate passes only on fresh measurements from Prometheus; *not evaluated* is not a pass.",
        "",
        "## Artifacts",
        "",
        "- `test.log`: every command and its output",
        "- `build.log`, `unit-tests.log`",
        "- `test-pr.yaml`: the ProvisioningRequests the pipeline generated",
    ]
    for mode in modes:
        lines.append(f"- `gateway-{mode}.log`, `intent-{mode}.json`, `reports-{mode}.json`, `package-{mode}/`")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
