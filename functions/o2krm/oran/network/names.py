"""Names of the resources network-config generates, and the labels it reads them back by.

| resource                     | name                                   | example                 |
|------------------------------|----------------------------------------|-------------------------|
| VLANClaim                    | ``<request>-<network>``                | ``edge-ran-f1``         |
| IPClaim                      | ``<request>-<function>-<network>-<af>`` | ``edge-ran-du-f1-ipv4`` |
| NetworkAttachmentDefinition  | ``<request>-<function>-<network>``     | ``edge-ran-du-f1``      |

``<function>`` is the function name in lower case (``CU-CP`` -> ``cu-cp``).
"""

from __future__ import annotations

import re
from typing import Final

from o2krm.oran import vocabulary as v

LABEL_NETWORK: Final = f"{v.PREFIX}/network"  # n2, n3, e1, f1
LABEL_FUNCTION: Final = f"{v.PREFIX}/network-function"  # CU-CP, CU-UP, DU

# The labels Nephio's interface-fn puts in an IPClaim's selector.
NEPHIO_CLUSTER_NAME: Final = "nephio.org/cluster-name"
NEPHIO_ADDRESS_FAMILY: Final = "nephio.org/address-family"
NEPHIO_NETWORK_NAME: Final = "nephio.org/network-name"

_NOT_DNS = re.compile(r"[^a-z0-9.-]+")


def _dns(text: str) -> str:
    return _NOT_DNS.sub("-", text.lower()).strip("-.")


def vlan_claim_name(request: str, network: str) -> str:
    return f"{request}-{_dns(network)}"


def ip_claim_name(request: str, function: str, network: str, family: str) -> str:
    return f"{request}-{_dns(function)}-{_dns(network)}-{family}"


def nad_name(request: str, function: str, network: str) -> str:
    return f"{request}-{_dns(function)}-{_dns(network)}"


def source_of(request: str) -> str:
    """The ``o2krm.io/source`` annotation value of everything generated for ``request``."""
    return f"{v.PR_KIND}/{request}"


def request_of(source: object) -> str | None:
    """Inverse of ``source_of``."""
    prefix = f"{v.PR_KIND}/"
    if isinstance(source, str) and source.startswith(prefix) and len(source) > len(prefix):
        return source[len(prefix) :]
    return None
