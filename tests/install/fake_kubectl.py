"""A stand-in for kubectl that answers the calls the install scripts make, for tests without a cluster.

`kubectl kustomize` is passed to the real kubectl ($FAKE_KUBECTL_REAL). Every other call is
appended to $FAKE_KUBECTL_LOG as one JSON line (argv, and the text of any `-f FILE`), and
answered from the cluster state in $FAKE_KUBECTL_STATE (JSON):

  crds: {name: part-of label or ""}  CRDs that exist
  namespaces: {name: part-of label}  namespaces that exist
  foreign_pods: ["pod/x", ...]       pods without o2krm's label in any namespace
  objects: {crd name: ["kind/x", ...]} objects of a CRD that exists
  can_i: "yes" | "no"                answer of `auth can-i`
  endpoints: "10.0.0.1 10.0.0.2"      addresses of the kubernetes Service
  wait: "ok" | "timeout" | "error"    outcome of `kubectl wait`
  apply: "ok" | "error"               outcome of `kubectl apply`
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    if argv[:1] == ["kustomize"]:
        return subprocess.call([os.environ["FAKE_KUBECTL_REAL"], *argv])
    state: dict[str, Any] = json.loads(Path(os.environ["FAKE_KUBECTL_STATE"]).read_text())
    args = _without_globals(argv)
    _log(argv, args)
    verb = args[0] if args else ""
    if verb == "get":
        return _get(args[1:], state)
    if verb == "auth":
        print(state.get("can_i", "yes"))
        return 0 if state.get("can_i", "yes") == "yes" else 1
    if verb == "apply":
        if state.get("apply", "ok") != "ok":
            print("error: the server rejected the request", file=sys.stderr)
            return 1
        print("applied")
        return 0
    if verb == "wait":
        outcome = state.get("wait", "ok")
        if outcome == "timeout":
            print("error: timed out waiting for the condition on customresourcedefinitions/x", file=sys.stderr)
            return 1
        if outcome == "error":
            print('error: the server doesn\'t have a resource type "clusterpolicy"', file=sys.stderr)
            return 1
        return 0
    if verb == "delete":
        print("deleted")
        return 0
    print(f"fake kubectl: unexpected call {argv}", file=sys.stderr)
    return 99


def _without_globals(argv: list[str]) -> list[str]:
    """The arguments less --kubeconfig/--context, which the scripts put first."""
    args = list(argv)
    while args[:1] and args[0] in ("--kubeconfig", "--context"):
        args = args[2:]
    return args


def _log(argv: list[str], args: list[str]) -> None:
    entry: dict[str, Any] = {"argv": argv}
    if "-f" in args:
        entry["file"] = Path(args[args.index("-f") + 1]).read_text()
    with open(os.environ["FAKE_KUBECTL_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def _get(args: list[str], state: dict[str, Any]) -> int:
    if args[:1] == ["--raw=/readyz"]:
        print("ok")
        return 0
    resource = args[0] if args else ""
    name = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    jsonpath = next((a for a in args if a.startswith("jsonpath=")), None)
    if resource == "crd":
        crds: dict[str, str] = state.get("crds", {})
        return _named(name, crds, "customresourcedefinition.apiextensions.k8s.io", jsonpath, args)
    if resource == "namespace":
        return _named(name, state.get("namespaces", {}), "namespace", jsonpath, args)
    if resource == "pods":
        print("\n".join(state.get("foreign_pods", [])))
        return 0
    if resource == "endpointslices":
        print(state.get("endpoints", ""), end="")
        return 0
    if resource in state.get("crds", {}):  # `get <plural>.<group> -A`: the objects of a CRD
        print("\n".join(state.get("objects", {}).get(resource, [])))
        return 0
    print(f'error: the server doesn\'t have a resource type "{resource}"', file=sys.stderr)
    return 1


def _named(name: str | None, existing: dict[str, str], kind: str, jsonpath: str | None, args: list[str]) -> int:
    if name not in existing:
        if "--ignore-not-found" in args:
            return 0
        print(f'Error from server (NotFound): {kind} "{name}" not found', file=sys.stderr)
        return 1
    print(existing[name] if jsonpath else f"{kind}/{name}", end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
