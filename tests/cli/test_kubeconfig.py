"""Kubeconfig resolution (flag, KUBECONFIG, ~/.kube/config), kubectl merging, context selection, bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from o2krm.cli.errors import CliError
from o2krm.cli.kubeconfig import candidate_files, resolve, select
from tests.cli.conftest import kubeconfig_doc, write_yaml
from tests.cli.kube_api_server import KubeApiServer


def _doc(server: str, context: str, *, current: bool = True, **cluster: str) -> dict:
    doc = kubeconfig_doc(server, context=context, current=current)
    doc["clusters"][0]["cluster"].update(cluster)
    return doc


def test_order_is_flag_then_kubeconfig_env_then_home(tmp_path: Path) -> None:
    home = tmp_path
    env = {"KUBECONFIG": f"/a{os.pathsep}/b"}
    assert candidate_files("/flag", env, home) == ("--kubeconfig", [Path("/flag")])
    assert candidate_files(None, env, home) == ("KUBECONFIG", [Path("/a"), Path("/b")])
    assert candidate_files(None, {}, home) == ("default", [home / ".kube" / "config"])
    # Empty and repeated entries are skipped; an empty KUBECONFIG means the default.
    assert candidate_files(None, {"KUBECONFIG": f"{os.pathsep}/a{os.pathsep}/a{os.pathsep}"}, home)[1] == [Path("/a")]
    assert candidate_files(None, {"KUBECONFIG": ""}, home)[0] == "default"


def test_merge_first_file_wins_per_name_and_current_context_from_first_setter(tmp_path: Path) -> None:
    first = _doc("https://first", "shared", current=False)
    first["contexts"].append({"name": "only-first", "context": {"cluster": "shared-cluster"}})
    second = _doc("https://second", "shared")
    second["current-context"] = "from-second"
    second["contexts"].append({"name": "from-second", "context": {"cluster": "shared-cluster", "namespace": "ns2"}})
    third = _doc("https://third", "third")
    third["current-context"] = "third"
    paths = [write_yaml(tmp_path / name, doc) for name, doc in (("1", first), ("2", second), ("3", third))]
    resolved = resolve(None, {"KUBECONFIG": os.pathsep.join(map(str, paths))}, tmp_path)
    assert resolved.files == paths
    config = resolved.config
    assert config["current-context"] == "from-second"
    assert [c["name"] for c in config["clusters"]] == ["shared-cluster", "third-cluster"]
    assert config["clusters"][0]["cluster"]["server"] == "https://first"
    assert sorted(c["name"] for c in config["contexts"]) == ["from-second", "only-first", "shared", "third"]
    selection = select(resolved, None)
    assert (selection.context, selection.server, selection.namespace) == ("from-second", "https://first", "ns2")
    assert select(resolved, "third").server == "https://third"


def test_missing_kubeconfig_env_entries_are_skipped_but_one_must_exist(tmp_path: Path) -> None:
    real = write_yaml(tmp_path / "real", _doc("https://x", "x"))
    resolved = resolve(None, {"KUBECONFIG": f"{tmp_path / 'missing'}{os.pathsep}{real}"}, tmp_path)
    assert resolved.files == [real] and resolved.skipped == [tmp_path / "missing"]
    with pytest.raises(CliError, match="none of the kubeconfig files in KUBECONFIG exist"):
        resolve(None, {"KUBECONFIG": str(tmp_path / "missing")}, tmp_path)


def test_relative_file_references_resolve_against_their_own_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    doc = _doc("https://x", "x", **{"certificate-authority": "ca.crt"})
    doc["users"][0]["user"] = {"client-certificate": "certs/me.crt", "client-key": "/abs/me.key", "tokenFile": "tok"}
    path = write_yaml(tmp_path / "a" / "config", doc)
    config = resolve(str(path), {}, tmp_path).config
    assert config["clusters"][0]["cluster"]["certificate-authority"] == str(tmp_path / "a" / "ca.crt")
    user = config["users"][0]["user"]
    assert user == {
        "client-certificate": str(tmp_path / "a" / "certs/me.crt"),
        "client-key": "/abs/me.key",
        "tokenFile": str(tmp_path / "a" / "tok"),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("clusters: [\n", "is not valid YAML (line 2"),
        ("- just\n- a list\n", "is not a kubeconfig"),
        ("clusters: {a: 1}\n", "clusters must be a list"),
        ("contexts:\n- context: {cluster: c}\n", "contexts[0] needs a name"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad"
    path.write_text(content)
    with pytest.raises(CliError) as caught:
        resolve(str(path), {}, tmp_path)
    assert message in caught.value.message and str(path) in caught.value.message


def test_missing_unreadable_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CliError, match=r"kubeconfig .*/nope \(from --kubeconfig\) does not exist"):
        resolve(str(tmp_path / "nope"), {}, tmp_path)
    with pytest.raises(CliError, match=r"no kubeconfig: .*\.kube/config does not exist; pass --kubeconfig"):
        resolve(None, {}, tmp_path)
    with pytest.raises(CliError, match="is a directory"):
        resolve(str(tmp_path), {}, tmp_path)
    locked = write_yaml(tmp_path / "locked", _doc("https://x", "x"))
    locked.chmod(0)
    try:
        with pytest.raises(CliError, match=r"cannot read kubeconfig .*Permission denied"):
            if os.access(locked, os.R_OK):  # root reads anything: make the read fail as it would for a user
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(Path, "read_bytes", _permission_denied)
                    resolve(str(locked), {}, tmp_path)
            else:
                resolve(str(locked), {}, tmp_path)
    finally:
        locked.chmod(0o600)


def _permission_denied(self: Path) -> bytes:
    raise PermissionError(13, "Permission denied", str(self))


def test_context_selection_errors_list_what_is_available(tmp_path: Path) -> None:
    doc = _doc("https://x", "alpha", current=False)
    resolved = resolve(str(write_yaml(tmp_path / "k", doc)), {}, tmp_path)
    with pytest.raises(CliError, match=r"sets no current-context; pass --context NAME \(available: alpha\)"):
        select(resolved, None)
    with pytest.raises(CliError, match=r"context 'beta' \(--context\) is not in kubeconfig .* \(available: alpha\)"):
        select(resolved, "beta")
    doc["contexts"][0]["context"]["cluster"] = "ghost"
    resolved = resolve(str(write_yaml(tmp_path / "k2", doc)), {}, tmp_path)
    with pytest.raises(CliError, match="refers to cluster 'ghost'"):
        select(resolved, "alpha")
    doc = _doc("https://x", "alpha")
    doc["contexts"][0]["context"]["user"] = "ghost"
    with pytest.raises(CliError, match="refers to user 'ghost'"):
        select(resolve(str(write_yaml(tmp_path / "k3", doc)), {}, tmp_path), None)


# --- through the CLI, against two API servers -------------------------------------------------


@pytest.fixture
def two_servers():
    first, second = KubeApiServer(token="t0ken").start(), KubeApiServer(token="t0ken").start()
    yield first, second
    first.stop()
    second.stop()


def _served_by(first: KubeApiServer, second: KubeApiServer) -> str:
    hits = {"first": len(first.log), "second": len(second.log)}
    first.log.clear()
    second.log.clear()
    return {(1, 0): "first", (0, 1): "second"}.get((min(hits["first"], 1), min(hits["second"], 1)), str(hits))


def test_cli_resolution_order_and_context(cli, two_servers, tmp_path: Path, isolated_env: Path, monkeypatch) -> None:
    first, second = two_servers
    home_config = isolated_env / ".kube" / "config"
    home_config.parent.mkdir()
    write_yaml(home_config, kubeconfig_doc(second.url, context="home"))
    assert cli("pr", "list").code == 0
    assert _served_by(first, second) == "second"

    env_config = write_yaml(tmp_path / "env.yaml", kubeconfig_doc(first.url, context="env"))
    monkeypatch.setenv("KUBECONFIG", str(env_config))
    assert cli("pr", "list").code == 0
    assert _served_by(first, second) == "first"

    # The flag beats KUBECONFIG.
    assert cli("pr", "list", "--kubeconfig", str(home_config)).code == 0
    assert _served_by(first, second) == "second"

    # A merged KUBECONFIG: the context comes from the first file, --context picks the other one.
    monkeypatch.setenv("KUBECONFIG", f"{env_config}{os.pathsep}{home_config}")
    assert cli("pr", "list").code == 0
    assert _served_by(first, second) == "first"
    assert cli("pr", "list", "--context", "home").code == 0
    assert _served_by(first, second) == "second"

    missing = cli("pr", "list", "--context", "nowhere")
    assert missing.code == 1 and "context 'nowhere' (--context) is not in kubeconfig" in missing.err


def test_cli_without_any_kubeconfig_says_what_to_do(cli) -> None:
    result = cli("pr", "list")
    assert result.code == 1
    assert result.err.startswith("error: no kubeconfig: ")
    assert "use --fake" in result.err


def test_verbose_names_the_kubeconfig_and_the_requests(cli, api, kubeconfig: Path) -> None:
    result = cli("pr", "list", "-v", "--kubeconfig", str(kubeconfig))
    assert result.code == 0
    assert f"kubeconfig from --kubeconfig: {kubeconfig}" in result.err
    assert f"context test: server {api.url}" in result.err
    assert "HTTP Request: GET" in result.err
