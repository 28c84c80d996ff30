"""o2imsctl: the O2 IMS ProvisioningRequest command line (see README.md)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from o2krm.cli.app import main as run

    return run(argv)
