"""o2krm-gateway: the TMF921 intent gateway (FastAPI on uvicorn).

One command, embedded storage: intents, reports and listeners live in SQLite under the data
directory, rendered packages are published to a git repository (by default a bare repository in
the data directory), ProvisioningRequests go to the fake O-Cloud (o2imsctl --fake) or to a
cluster (--mode real).

Exit codes: 0 stopped cleanly; 1 could not start; 2 bad command line.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from o2krm import __version__
from o2krm.gateway.provisioning import MODES, OCloudSettings
from o2krm.gateway.settings import (
    DEFAULT_BLUEPRINT,
    DEFAULT_MAX_BODY,
    TOKEN_ENV,
    Settings,
    default_blueprints,
    default_data_dir,
)

PROG = "o2krm-gateway"


def build_parser() -> argparse.ArgumentParser:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="\n\n".join(doc.split("\n\n")[:2]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  o2krm-gateway                                   # 127.0.0.1:8080, fake O-Cloud, no token\n"
        "  O2KRM_GATEWAY_TOKEN=s3cret o2krm-gateway --host 0.0.0.0 --mode real --kubeconfig ~/.kube/edge\n"
        "  curl -X POST http://localhost:8080/intent-gateway/v1/intents -H 'Content-Type: application/json' \\\n"
        "       -d @samples/tmf921/deploy-cu-intent.json",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    net = parser.add_argument_group("HTTP")
    net.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    net.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    net.add_argument("--public-url", help="base URL in hrefs and events (default: http://HOST:PORT)")
    net.add_argument(
        "--token-file",
        type=Path,
        help=f"file holding the bearer token clients must send (default: ${TOKEN_ENV}; "
        "without either, no token is asked for, which is allowed on a loopback address only)",
    )
    net.add_argument(
        "--max-body-bytes", type=int, default=DEFAULT_MAX_BODY, help="largest request body (default: 1 MiB)"
    )
    data = parser.add_argument_group("storage and publishing")
    data.add_argument(
        "--data-dir",
        type=Path,
        help="SQLite database and default repository (default: $O2KRM_GATEWAY_DATA or ~/.local/state/o2krm/gateway)",
    )
    data.add_argument("--repo", help="deployment git repository, a path or URL (default: <data-dir>/deployments.git)")
    data.add_argument("--package-directory", default="", help="directory of the intent packages in the repository")
    data.add_argument("--branch", default="main", help="deployment branch (default: main)")
    data.add_argument(
        "--blueprints", type=Path, help="directory of blueprint packages (default: the repository's packages/)"
    )
    data.add_argument("--default-blueprint", default=DEFAULT_BLUEPRINT, help=f"(default: {DEFAULT_BLUEPRINT})")
    data.add_argument(
        "--renderer",
        choices=("in-process", "kpt"),
        default="in-process",
        help="how to run the Kptfile pipeline (default: in-process; kpt needs kpt on PATH)",
    )
    data.add_argument(
        "--render-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="render in a process of its own, beside the one that answers requests (default: yes)",
    )
    cloud = parser.add_argument_group("O-Cloud")
    cloud.add_argument("--mode", choices=MODES, default="fake", help="fake: o2imsctl's fake O-Cloud; real: a cluster")
    cloud.add_argument("--kubeconfig", help="real mode: kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    cloud.add_argument("--context", help="real mode: kubeconfig context")
    cloud.add_argument("--fake-capacity", help="fake mode: e.g. cpu=64,memory=256Gi,storage=4Ti")
    cloud.add_argument("--fake-provision-seconds", type=float, help="fake mode: how long provisioning takes")
    cloud.add_argument("--poll-interval", type=float, default=1.0, help="seconds between ProvisioningRequest checks")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    token = None
    if args.token_file is not None:
        token = args.token_file.read_text(encoding="utf-8").strip()
        if not token:
            raise ValueError(f"--token-file {args.token_file} is empty")
    elif os.environ.get(TOKEN_ENV):
        token = os.environ[TOKEN_ENV].strip()
    if token is None and not _loopback(args.host):
        raise ValueError(
            f"listening on {args.host} without a token would let anyone create intents; "
            f"set ${TOKEN_ENV} or --token-file, or listen on 127.0.0.1"
        )
    if args.max_body_bytes < 1024:
        raise ValueError("--max-body-bytes must be at least 1024")
    return Settings(
        data_dir=args.data_dir or default_data_dir(),
        blueprints=args.blueprints or default_blueprints(),
        default_blueprint=args.default_blueprint,
        repo=args.repo,
        package_directory=args.package_directory,
        branch=args.branch,
        ocloud=OCloudSettings(
            mode=args.mode,
            kubeconfig=args.kubeconfig,
            context=args.context,
            fake_capacity=args.fake_capacity,
            fake_provision_seconds=args.fake_provision_seconds,
        ),
        renderer=args.renderer,
        render_process=args.render_process,
        token=token,
        max_body_bytes=args.max_body_bytes,
        poll_interval=args.poll_interval,
        public_url=(args.public_url or f"http://{_url_host(args.host)}:{args.port}").rstrip("/"),
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return int(exit_request.code or 0)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = settings_from(args)
    except (OSError, ValueError) as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 2
    import uvicorn

    from o2krm.gateway.app import create_app

    if settings.token is None:
        logging.getLogger("o2krm.gateway").warning("no bearer token configured: the API is open on %s", args.host)
    config = uvicorn.Config(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        timeout_graceful_shutdown=10,
        access_log=args.log_level == "debug",
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    except RuntimeError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 1
    return 0 if server.started else 1


if __name__ == "__main__":
    raise SystemExit(main())
