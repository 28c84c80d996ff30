"""Which networks each O-RAN function attaches to.

| function | networks   | why                                                   |
|----------|------------|-------------------------------------------------------|
| CU-CP    | n2, f1, e1 | N2 to the AMF, F1-C to the DU, E1 to the CU-UP          |
| CU-UP    | n3, f1, e1 | N3 to the UPF, F1-U to the DU, E1 to the CU-CP          |
| DU       | f1         | F1 (C and U planes) to the CU                          |

The names n2, n3, e1 and f1 are the network names Nephio's OAI RAN packages use
(``nephio.org/network-name``). The table is the default; the function config may
replace it (for example to add a fronthaul network or another function).

Within a request the functions that share a network share its subnet: the CU-CP, the
CU-UP and the DU of one ProvisioningRequest get three addresses in one F1 subnet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

NETWORK_ORDER: Final = ("n2", "n3", "e1", "f1")

DEFAULT_ATTACHMENTS: Final[Mapping[str, tuple[str, ...]]] = {
    "CU-CP": ("n2", "f1", "e1"),
    "CU-UP": ("n3", "f1", "e1"),
    "DU": ("f1",),
}

AttachmentTable = Mapping[str, tuple[str, ...]]


def network_sort_key(network: str) -> tuple[int, str]:
    """Known networks in their usual order (n2, n3, e1, f1), any others after them by name."""
    try:
        return (NETWORK_ORDER.index(network), network)
    except ValueError:
        return (len(NETWORK_ORDER), network)


def ordered_functions(functions: Iterable[str], table: AttachmentTable) -> tuple[str, ...]:
    """The distinct functions in table order (CU-CP, CU-UP, DU by default)."""
    wanted = set(functions)
    return tuple(f for f in table if f in wanted)


def networks_of(functions: Iterable[str], table: AttachmentTable) -> dict[str, tuple[str, ...]]:
    """network -> the functions attached to it, networks in canonical order."""
    members: dict[str, list[str]] = {}
    for function in ordered_functions(functions, table):
        for network in table[function]:
            members.setdefault(network, [])
            if function not in members[network]:
                members[network].append(function)
    return {net: tuple(members[net]) for net in sorted(members, key=network_sort_key)}
