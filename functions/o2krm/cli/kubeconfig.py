"""Which kubeconfig, merged how, and which context: kubectl's rules, without contacting anything.

Resolution order: ``--kubeconfig FILE`` (one file, must exist), else ``$KUBECONFIG`` (a
``os.pathsep``-separated list; empty and repeated entries are skipped, files that do not exist
are skipped, but at least one must exist), else ``~/.kube/config``.

Merging (kubectl's): for clusters, contexts and users the first file that defines a name wins;
``current-context`` comes from the first file that sets it. Relative file references
(certificate-authority, client-certificate, client-key, tokenFile) are resolved against the
file they were written in before merging, so they keep meaning what their author meant.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from o2krm.cli.errors import CliError

DEFAULT_PATH = Path("~/.kube/config")
_SECTIONS = (("clusters", "cluster"), ("contexts", "context"), ("users", "user"))
_FILE_REFERENCES = {"cluster": ("certificate-authority",), "user": ("client-certificate", "client-key", "tokenFile")}
_NO_CONFIG_HINT = "pass --kubeconfig FILE, set KUBECONFIG, or use --fake to work without a cluster"


class ResolvedKubeconfig(NamedTuple):
    origin: str  # "--kubeconfig", "KUBECONFIG" or "default"
    files: list[Path]  # the files merged, highest precedence first
    config: dict[str, Any]  # the merged kubeconfig
    skipped: list[Path]  # KUBECONFIG entries that do not exist


class Selection(NamedTuple):
    context: str
    cluster: str
    server: str
    user: str | None
    namespace: str | None


def candidate_files(flag: str | None, env: Mapping[str, str], home: Path) -> tuple[str, list[Path]]:
    if flag:
        return "--kubeconfig", [Path(flag).expanduser()]
    listed = env.get("KUBECONFIG", "")
    if listed:
        paths: list[Path] = []
        for entry in listed.split(os.pathsep):
            path = Path(entry).expanduser() if entry else None
            if path is not None and path not in paths:
                paths.append(path)
        if paths:
            return "KUBECONFIG", paths
    return "default", [home / ".kube" / "config"]


def resolve(flag: str | None, env: Mapping[str, str], home: Path) -> ResolvedKubeconfig:
    origin, paths = candidate_files(flag, env, home)
    existing = [p for p in paths if p.exists()]
    if not existing:
        raise CliError(_missing_message(origin, paths))
    documents = [(path, _read(path)) for path in existing]
    return ResolvedKubeconfig(
        origin=origin,
        files=existing,
        config=merge(documents),
        skipped=[p for p in paths if p not in existing],
    )


def _missing_message(origin: str, paths: list[Path]) -> str:
    if origin == "--kubeconfig":
        return f"kubeconfig {paths[0]} (from --kubeconfig) does not exist"
    if origin == "KUBECONFIG":
        return f"none of the kubeconfig files in KUBECONFIG exist: {', '.join(map(str, paths))}; {_NO_CONFIG_HINT}"
    return f"no kubeconfig: {paths[0]} does not exist; {_NO_CONFIG_HINT}"


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_bytes()
    except IsADirectoryError:
        raise CliError(f"kubeconfig {path} is a directory, not a file") from None
    except OSError as err:
        raise CliError(f"cannot read kubeconfig {path}: {err.strerror or err}") from None
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise CliError(f"kubeconfig {path} is not valid YAML{at}: {getattr(err, 'problem', None) or err}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise CliError(f"kubeconfig {path} is not a kubeconfig: expected a mapping with clusters, contexts and users")
    _check_sections(path, document)
    return _absolutize(path, document)


def _check_sections(path: Path, document: Mapping[str, Any]) -> None:
    for section, body in _SECTIONS:
        entries = document.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise CliError(f"kubeconfig {path}: {section} must be a list, got {type(entries).__name__}")
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                raise CliError(f"kubeconfig {path}: {section}[{index}] needs a name")
            if not isinstance(entry.get(body, {}), dict):
                raise CliError(f"kubeconfig {path}: {section}[{index}].{body} must be a mapping")


def _absolutize(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    base = path.resolve().parent
    result = dict(document)
    for section, body in _SECTIONS:
        keys = _FILE_REFERENCES.get(body, ())
        if not keys or not document.get(section):
            continue
        entries = []
        for entry in document[section]:
            inner = dict(entry.get(body) or {})
            for key in keys:
                value = inner.get(key)
                if isinstance(value, str) and value and not os.path.isabs(os.path.expanduser(value)):
                    inner[key] = str(base / value)
            entries.append({**entry, body: inner})
        result[section] = entries
    return result


def merge(documents: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    for section, _ in _SECTIONS:
        by_name: dict[str, Any] = {}
        for _, document in documents:
            for entry in document.get(section) or ():
                by_name.setdefault(entry["name"], entry)
        merged[section] = list(by_name.values())
    current = next((d.get("current-context") for _, d in documents if d.get("current-context")), None)
    if current:
        merged["current-context"] = current
    return merged


def select(resolved: ResolvedKubeconfig, context: str | None) -> Selection:
    config = resolved.config
    files = ", ".join(map(str, resolved.files))
    contexts = {c["name"]: c.get("context") or {} for c in config["contexts"]}
    available = ", ".join(sorted(contexts)) or "none"
    name = context or config.get("current-context")
    if not name:
        raise CliError(f"kubeconfig {files} sets no current-context; pass --context NAME (available: {available})")
    if name not in contexts:
        origin = "--context" if context else "current-context"
        raise CliError(f"context {name!r} ({origin}) is not in kubeconfig {files} (available: {available})")
    entry = contexts[name]
    cluster_name = entry.get("cluster")
    clusters = {c["name"]: c.get("cluster") or {} for c in config["clusters"]}
    if not cluster_name or cluster_name not in clusters:
        raise CliError(f"context {name!r} refers to cluster {cluster_name!r}, which kubeconfig {files} does not define")
    server = clusters[cluster_name].get("server")
    if not isinstance(server, str) or not server:
        raise CliError(f"cluster {cluster_name!r} in kubeconfig {files} has no server address")
    user = entry.get("user")
    if user and user not in {u["name"] for u in config["users"]}:
        raise CliError(f"context {name!r} refers to user {user!r}, which kubeconfig {files} does not define")
    return Selection(
        context=name, cluster=cluster_name, server=server, user=user or None, namespace=entry.get("namespace") or None
    )
