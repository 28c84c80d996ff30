"""Rollback against real git repositories in the Porch layout, with gates measured by a real Prometheus."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from o2krm.oran.ts28312 import schema
from o2krm.porch.checks import CheckReport
from o2krm.porch.errors import PublishError
from o2krm.porch.layout import PackagePath
from o2krm.porch.publish import publish_revision, read_revision
from o2krm.promotion.cli import main
from o2krm.promotion.rollback import failed_revisions, previous_good, roll_back, rollback_message
from o2krm.promotion.sources import bundle_from_files
from o2krm.promotion.verdict import Phase

from .conftest import EDGE_RAN, EDGE_RAN_SITE, Prometheus, copy_package
from .test_report import failing

REPORT = "intentreport_deploy-edge-ran.yaml"
IDENTITY = ("-c", "user.name=Test", "-c", "user.email=test@example.com")


def git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def refs(remote: Path) -> dict[str, str]:
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=remote)
    return dict(line.split(" ", 1) for line in out.splitlines())


def passing_check(_: Path) -> CheckReport:
    """Stands in for the render check where a test is about git, not rendering."""
    return CheckReport("test check")


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "deployments.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    (seed / "README.md").write_text("deployments\n")
    git("add", "README.md", cwd=seed)
    git("commit", "-q", "-m", "init", cwd=seed)
    git("push", "-q", str(bare), "HEAD:refs/heads/main", cwd=seed)
    return bare


def good_package(tmp_path: Path, name: str = "good") -> Path:
    return copy_package(EDGE_RAN, tmp_path / name / "edge-ran")


def failing_package(tmp_path: Path, name: str = "bad") -> Path:
    """edge-ran whose gate and queries point at the site whose latency and throughput are broken."""
    package = good_package(tmp_path, name)
    for path in package.glob("*.yaml"):
        if path.name.startswith(("slogate_", "measurementjob_")):
            path.write_text(path.read_text().replace(EDGE_RAN_SITE, "site-fail"))
    return package


def publish(remote: Path, package: Path, message: str) -> int:
    publication = publish_revision(str(remote), "edge-ran", package, message, check=passing_check)
    assert publication.revision is not None
    return publication.revision


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@needs_git
def test_a_failed_gate_republishes_the_previous_good_revision(
    prometheus: Prometheus, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert publish(remote, good_package(tmp_path), "edge RAN") == 1
    assert publish(remote, failing_package(tmp_path), "move the gate") == 2
    v2_commit = refs(remote)["refs/tags/edge-ran/v2"]

    # The published revision's gates are read from git, measured, found failing, and rolled back
    # (with the real render check: kpt, or kustomize where kpt is missing).
    argv = ("slo", "evaluate", "--repo", str(remote), "--package", "edge-ran", "--prometheus", prometheus.url)
    code, out, err = run(capsys, *argv, "--rollback", "-o", "json")
    assert code == 6, err
    doc = json.loads(out)
    assert doc["gates"][0]["reason"] == "TargetsNotMet"
    assert doc["rollback"] == {
        "package": "edge-ran",
        "failedRevision": "edge-ran/v2",
        "restoredRevision": "edge-ran/v1",
        "publishedRevision": "edge-ran/v3",
        "commit": refs(remote)["refs/tags/edge-ran/v3"],
        "updatedReports": [REPORT],
    }

    # History is kept: v3 is a new commit on top of v2, nothing was force-pushed.
    after = refs(remote)
    assert sorted(after) == [
        "refs/heads/main",
        "refs/tags/edge-ran/v1",
        "refs/tags/edge-ran/v2",
        "refs/tags/edge-ran/v3",
    ]
    assert after["refs/heads/main"] == after["refs/tags/edge-ran/v3"]
    assert git("rev-list", "--parents", "-n", "1", after["refs/tags/edge-ran/v3"], cwd=remote).split()[1] == v2_commit
    assert after["refs/tags/edge-ran/v2"] == v2_commit

    # v3 holds v1's files; only the IntentReport changed, and it says why.
    v1, v3 = read_revision(str(remote), "edge-ran", 1), read_revision(str(remote), "edge-ran", 3)
    assert sorted(v3.files) == sorted(v1.files)
    assert [p for p in v3.files if v3.files[p] != v1.files[p]] == [REPORT]
    report = yaml.safe_load(v3.files[REPORT])["spec"]
    if schema.available():
        assert schema.validate_report_spec(report) == []
    info = report["intentFulfilmentReport"]["intentFulfilmentInfo"]
    assert (info["fulfilmentStatus"], info["notFullfilledState"]) == ("NOT_FULFILLED", "DEGRADED")
    assert info["notFulfilledReasons"][-1] == "rolled back from edge-ran/v2 to the files of edge-ran/v1"
    targets = report["intentFulfilmentReport"]["expectationFulfilmentResult"][1]["targetFulfilmentResult"]
    assert [(t["targetName"], t["targetAchievedValue"]) for t in targets] == [("latency", 24.25), ("throughput", 800)]
    assert all(t["targetFulfilmentInfo"]["notFullfilledState"] == "DEGRADED" for t in targets)

    message = git("log", "-1", "--format=%B", after["refs/tags/edge-ran/v3"], cwd=remote)
    assert message.splitlines()[0] == "Approving package revision edge-ran/3"
    assert "Roll back edge-ran to v1: 1 of 1 SLO gate(s) of edge-ran/v2 failed" in message
    assert "- latency_p95_ms: measured 24.25 ms, required < 10 ms" in message
    assert "- throughput_mbps: measured 800 Mbps, required > 1000 Mbps" in message
    assert "O2krm-Rollback-Of: edge-ran/v2\nO2krm-Restores: edge-ran/v1" in message

    # The restored revision is the latest now, and its gates pass.
    code, _, _ = run(capsys, *argv)
    assert code == 0


@needs_git
def test_previous_good_skips_revisions_a_rollback_named_as_failed(
    prometheus: Prometheus, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(remote, good_package(tmp_path), "v1")
    publish(remote, failing_package(tmp_path), "v2")
    first = roll_back(str(remote), "edge-ran", results=[failing()], at=1.8e9, check=passing_check)
    assert (first.failed, first.restored, first.tag) == (2, 1, "edge-ran/v3")
    publish(remote, failing_package(tmp_path, "bad-again"), "v4")
    second = roll_back(str(remote), "edge-ran", results=[failing()], at=1.8e9, check=passing_check)
    assert (second.failed, second.restored, second.tag) == (4, 3, "edge-ran/v5")

    # A manual rollback from v5: v4 and v2 are known failures, so v3 is restored.
    code, out, err = run(
        capsys,
        "rollback",
        "--repo",
        str(remote),
        "--package",
        "edge-ran",
        "--reason",
        "CU-UP crash loop at edge-us-west-1",
    )
    assert code == 0, err
    assert out == "rolled back: published edge-ran/v6 with the files of edge-ran/v3 (edge-ran/v5 failed)\n"
    v6 = read_revision(str(remote), "edge-ran", 6)
    info = yaml.safe_load(v6.files[REPORT])["spec"]["intentFulfilmentReport"]["intentFulfilmentInfo"]
    assert info["notFulfilledReasons"] == [
        "CU-UP crash loop at edge-us-west-1",
        "rolled back from edge-ran/v5 to the files of edge-ran/v3",
    ]
    message = git("log", "-1", "--format=%B", "edge-ran/v6", cwd=remote)
    assert (
        "Roll back edge-ran to v3: edge-ran/v5 rolled back by an operator\n\nCU-UP crash loop at edge-us-west-1"
        in message
    )


@needs_git
def test_refusals(remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PublishError, match="has no published revision of edge-ran"):
        roll_back(str(remote), "edge-ran", reason="x", at=0, check=passing_check)
    publish(remote, good_package(tmp_path), "v1")
    with pytest.raises(
        PublishError, match=r"edge-ran/v1 has no earlier good revision to roll back to \(published: v1\)"
    ):
        roll_back(str(remote), "edge-ran", reason="x", at=0, check=passing_check)
    publish(remote, failing_package(tmp_path), "v2")
    with pytest.raises(PublishError, match=r"cannot roll edge-ran/v2 back to v2"):
        roll_back(str(remote), "edge-ran", reason="x", at=0, to=2, check=passing_check)
    code, _, err = run(capsys, "rollback", "--repo", str(remote), "--package", "edge-ran", "--reason", " ")
    assert (code, err) == (2, "error: --reason must say why: it goes into the commit message and the IntentReport\n")
    code, _, err = run(
        capsys, "rollback", "--repo", str(remote), "--package", "edge-ran", "--reason", "x", "--from", "9"
    )
    assert code == 1 and err.startswith("error: rollback failed: edge-ran has no revision 9")
    assert sorted(refs(remote)) == ["refs/heads/main", "refs/tags/edge-ran/v1", "refs/tags/edge-ran/v2"]


@needs_git
def test_pause_and_none_do_not_roll_back(
    prometheus: Prometheus, remote: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(remote, good_package(tmp_path), "v1")
    paused = failing_package(tmp_path)
    gate_file = next(paused.glob("slogate_*.yaml"))
    gate_file.write_text(gate_file.read_text().replace("action: Rollback", "action: Pause"))
    publish(remote, paused, "v2")
    code, out, err = run(
        capsys,
        "slo",
        "evaluate",
        "--repo",
        str(remote),
        "--package",
        "edge-ran",
        "--prometheus",
        prometheus.url,
        "--rollback",
    )
    assert code == 6
    assert "failed; its rollback action is Pause: not rolling back" in err
    assert "rolled back" not in out
    assert sorted(refs(remote)) == ["refs/heads/main", "refs/tags/edge-ran/v1", "refs/tags/edge-ran/v2"]


def test_history_reading_is_pure() -> None:
    package = PackagePath.parse("edge-ran")
    messages = {
        1: "Approving package revision edge-ran/1\n",
        3: "Approving package revision edge-ran/3\n\nRoll back\n\nO2krm-Rollback-Of: edge-ran/v2\nO2krm-Restores: edge-ran/v1\n",
        5: "O2krm-Rollback-Of: other/v4\n",
    }
    assert failed_revisions(messages, package) == {2}
    assert previous_good([1, 2, 3, 4], {2}, 4) == 3
    assert previous_good([1, 2, 3], {2}, 3) == 1
    assert previous_good([1], set(), 1) is None
    text = rollback_message(package, 2, 1, [failing()], "")
    assert failing().phase == Phase.FAILED
    assert text.splitlines() == [
        "Roll back edge-ran to v1: 1 of 1 SLO gate(s) of edge-ran/v2 failed",
        "",
        "SLOGate a2b3fc18-19a3-5f8a-8cdc-c9be83533574 (ProvisioningRequest a2b3fc18-19a3-5f8a-8cdc-c9be83533574, "
        "site edge-us-west-1): Failed (TargetsNotMet)",
        "- latency_p95_ms: measured 24.25 ms, required < 10 ms",
        "",
        "O2krm-Rollback-Of: edge-ran/v2",
        "O2krm-Restores: edge-ran/v1",
    ]


def test_gates_are_read_from_revision_files() -> None:
    files = {p.name: p.read_bytes() for p in EDGE_RAN.iterdir() if p.is_file()}
    bundle = bundle_from_files("edge-ran/v1", files)
    assert [g.name for g, _ in bundle.gates_for()] == ["a2b3fc18-19a3-5f8a-8cdc-c9be83533574"]
    assert [d.path for d in bundle.reports_for("deploy-edge-ran")] == [REPORT]
