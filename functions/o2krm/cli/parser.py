"""The command line: commands and flags, kubectl style (global flags may come before or after the command)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from o2krm import __version__
from o2krm.cli.durations import parse_duration
from o2krm.cli.output import FORMATS

EPILOG = """exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 wait timed out, 5 provisioning failed

kubeconfig: --kubeconfig, else $KUBECONFIG (merged like kubectl), else ~/.kube/config.
fake mode (--fake): no cluster; state in $O2KRM_FAKE_STATE or $XDG_STATE_HOME/o2krm/fake-ocloud.json."""


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _global_flags() -> argparse.ArgumentParser:
    """Flags every command takes; SUPPRESS keeps a flag given before the command from being reset after it."""
    flags = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = flags.add_argument_group("global flags")
    group.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    group.add_argument("--context", metavar="NAME", help="kubeconfig context to use (default: current-context)")
    group.add_argument(
        "-n",
        "--namespace",
        metavar="NS",
        help="namespace (ProvisioningRequests are cluster-scoped and ignore it; "
        "`cluster health` looks for the controller there, default o2ims-system)",
    )
    group.add_argument("-o", "--output", choices=FORMATS, help="output format")
    group.add_argument("-v", "--verbose", action="count", help="diagnostics on stderr, including each API request")
    group.add_argument(
        "--request-timeout",
        type=_duration,
        metavar="DURATION",
        help="timeout of each API request (default 30s; 0: none)",
    )
    group.add_argument("--fake", action="store_true", help="use the local fake O-Cloud instead of a cluster")
    group.add_argument(
        "--fake-capacity",
        metavar="SPEC",
        help="fake O-Cloud capacity, e.g. cpu=64,memory=256Gi,storage=4Ti ($O2KRM_FAKE_CAPACITY)",
    )
    group.add_argument(
        "--fake-provision-time",
        type=_duration,
        metavar="DURATION",
        help="how long the fake controller takes to fulfil a request, e.g. 10s ($O2KRM_FAKE_PROVISION_TIME)",
    )
    return flags


def build_parser(handlers: dict[str, Callable[..., Any]]) -> argparse.ArgumentParser:
    common = _global_flags()
    root = argparse.ArgumentParser(
        prog="o2imsctl",
        description="Drive O2 IMS ProvisioningRequests on an O-Cloud (or a local fake one).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    root.add_argument("--version", action="version", version=f"o2imsctl {__version__}")
    groups = root.add_subparsers(dest="group", metavar="COMMAND")

    pr = groups.add_parser(
        "pr", aliases=["provisioningrequest", "provisioningrequests"], help="ProvisioningRequest operations"
    ).add_subparsers(dest="verb", metavar="VERB")

    def leaf(parent: Any, name: str, help_text: str, handler: str) -> argparse.ArgumentParser:
        parser = parent.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[common],
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.set_defaults(handler=handlers[handler])
        return parser

    create = leaf(pr, "create", "create ProvisioningRequests from a YAML or JSON file", "pr_create")
    create.add_argument(
        "-f",
        "--from",
        "--filename",
        dest="source",
        required=True,
        metavar="FILE",
        help="file with one or more ProvisioningRequests ('-' reads stdin)",
    )
    create.add_argument(
        "--validate",
        default="strict",
        metavar="MODE",
        help="client-side validation against the CRD: strict (default), warn, ignore (true/false)",
    )
    create.add_argument("--dry-run", action="store_true", help="validate and print; send nothing")

    get = leaf(pr, "get", "show one ProvisioningRequest", "pr_get")
    get.add_argument("name", metavar="NAME")

    leaf(pr, "list", "list ProvisioningRequests", "pr_list")

    delete = leaf(pr, "delete", "delete ProvisioningRequests", "pr_delete")
    delete.add_argument("names", nargs="+", metavar="NAME")
    delete.add_argument("--ignore-not-found", action="store_true", help="a missing request is not an error")

    wait = leaf(pr, "wait", "wait for a ProvisioningRequest to reach a condition", "pr_wait")
    wait.add_argument("name", metavar="NAME")
    wait.add_argument(
        "--condition",
        "--for",
        dest="condition",
        default="Ready",
        metavar="CONDITION",
        help="Ready (= provisioningState fulfilled, the default), progressing, fulfilled, failed, "
        "deleting, Deleted, or any status.conditions type",
    )
    wait.add_argument(
        "--timeout",
        type=_duration,
        default=30.0,
        metavar="DURATION",
        help="give up after this long (default 30s; 0: check once; negative: a week)",
    )

    cluster = groups.add_parser("cluster", help="cluster checks and listings").add_subparsers(
        dest="verb", metavar="VERB"
    )
    health = leaf(cluster, "health", "check the API server, nodes, the CRD and the O2 IMS controller", "cluster_health")
    health.add_argument(
        "--controller",
        default="o2ims-controller",
        metavar="NAME",
        help="name of the O2 IMS controller Deployment (namespace: -n, default o2ims-system)",
    )
    leaf(cluster, "nodes", "list nodes", "cluster_nodes")
    leaf(cluster, "namespaces", "list namespaces", "cluster_namespaces")

    version = leaf(groups, "version", "print the client and server versions", "version")
    version.add_argument("--client", action="store_true", help="client version only; contact nothing")

    from o2krm.promotion.cli import add_commands  # slo evaluate, mj, rollback: SLO-gated promotion

    add_commands(groups, [common], EPILOG)
    return root
