"""Stable rule ids of network-config findings (they appear in KRM results as ``tags.rule``)."""

from __future__ import annotations

from typing import Final

INVALID_VALUE: Final = "o2krm.network.invalid-value"
UNKNOWN_FUNCTION: Final = "o2krm.network.unknown-function"
MISSING_SITE: Final = "o2krm.network.missing-site"
NO_POOL: Final = "o2krm.network.no-pool"
POOL_OVERLAP: Final = "o2krm.network.pool-overlap"
POOL_EXHAUSTED: Final = "o2krm.network.pool-exhausted"
VLAN_OUT_OF_RANGE: Final = "o2krm.network.vlan-out-of-range"
SUBNET_OUTSIDE_POOL: Final = "o2krm.network.subnet-outside-pool"
GATEWAY_OUTSIDE_SUBNET: Final = "o2krm.network.gateway-outside-subnet"
ADDRESS_INVALID: Final = "o2krm.network.address-invalid"
COLLISION: Final = "o2krm.network.collision"
CONFLICTING_PINS: Final = "o2krm.network.conflicting-values"
RECORD_DROPPED: Final = "o2krm.network.record-dropped"  # warning: a recorded allocation had to move
DERIVED_VALUE: Final = "o2krm.network.derived-value"  # warning: a hand edit of a copy is overwritten
UNUSED_PIN: Final = "o2krm.network.unused-value"  # warning: a hand-set value no function needs
