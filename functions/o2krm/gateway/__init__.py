"""The o2krm intent gateway: TMF921 Intent Management v5 over HTTP (see README.md).

``o2krm-gateway`` (``cli.main``) runs it; ``app.create_app`` builds the FastAPI application;
``service.IntentService`` holds the use cases; ``processor`` moves intents through their
lifecycle; ``store`` keeps them in SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from o2krm.gateway.cli import main as run

    return run(argv)
