"""Benchmark: network-config allocation, 4 sites x 250 ProvisioningRequests, in-process.

Every request deploys CU-CP, CU-UP and DU (four networks, seven attachments); every network
is dual-stack. Prints the median of several runs and its ratio to the 200 ms target, for the
allocation alone (catalog and requests read, everything allocated) and for allocation plus
rendering (claims, NADs, networkConfig blocks as dicts; YAML output is the SDK's and not counted).

    python bench/bench_network_alloc.py [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any

from o2krm.oran.network import (
    DEFAULT_ATTACHMENTS,
    RenderSettings,
    allocate,
    build_pool_catalog,
    ip_claims,
    network_attachment_definitions,
    network_config_block,
    request_from_provisioning_request,
    site_pools_from_catalog,
    vlan_claim,
)

TARGET_MS = 200.0
SITES = 4
REQUESTS_PER_SITE = 250


def site_catalog() -> dict[str, Any]:
    sites = []
    for s in range(SITES):
        networks = {
            net: {"ipv4Prefix": f"10.{16 * s + n}.0.0/16", "ipv6Prefix": f"fd00:{s}:{n}::/48", "subnetPrefixLength": 28}
            for n, net in enumerate(("n2", "n3", "e1", "f1"))
        }
        sites.append({"name": f"edge-{s}", "network": {"vlanRange": {"start": 100, "end": 1199}, "networks": networks}})
    return {
        "apiVersion": "o2krm.io/v1alpha1",
        "kind": "OCloudSiteCatalog",
        "metadata": {"name": "sites"},
        "spec": {"sites": sites},
    }


def provisioning_requests() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "o2ims.provisioning.oran.org/v1alpha1",
            "kind": "ProvisioningRequest",
            "metadata": {"name": f"ran-{s}-{r:03d}", "labels": {"o2krm.io/site": f"edge-{s}"}},
            "spec": {
                "templateName": "oran-ran",
                "templateVersion": "v1",
                "templateParameters": {"networkFunctions": ["CU-CP", "CU-UP", "DU"]},
            },
        }
        for s in range(SITES)
        for r in range(REQUESTS_PER_SITE)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    catalog_doc, prs = site_catalog(), provisioning_requests()
    settings = RenderSettings()

    alloc_times, full_times = [], []
    plan: Any = None
    for _ in range(args.runs):
        # Each run starts from a clean heap, as a function process does: without this, the garbage
        # collector keeps walking the previous run's objects and the timings drift upwards.
        plan = None
        gc.collect()
        start = time.perf_counter()
        catalog = build_pool_catalog(site_pools_from_catalog(catalog_doc))
        requests = [r for r in (request_from_provisioning_request(pr, DEFAULT_ATTACHMENTS) for pr in prs) if r]
        plan = allocate(requests, catalog)
        allocated = time.perf_counter()
        rendered = 0
        for request in requests:
            allocations = plan.for_request(request.name)
            network_config_block(allocations, settings.primaryNetwork)
            site_pools = catalog.for_site(request.site)
            for a in allocations:
                rendered += 1 + len(ip_claims(a, settings))
                rendered += len(network_attachment_definitions(a, site_pools, settings))
                vlan_claim(a, settings)
        done = time.perf_counter()
        alloc_times.append((allocated - start) * 1000)
        full_times.append((done - start) * 1000)

    alloc_ms, full_ms = statistics.median(alloc_times), statistics.median(full_times)
    print(
        f"network-config: {SITES} sites x {REQUESTS_PER_SITE} requests, {len(plan.allocations)} network "
        f"allocations, {rendered} claims/NADs rendered, {args.runs} runs"
    )
    print(
        f"allocate            median {alloc_ms:8.1f} ms   ratio to {TARGET_MS:.0f} ms target: "
        f"{alloc_ms / TARGET_MS:.2f}"
    )
    print(
        f"allocate + render   median {full_ms:8.1f} ms   ratio to {TARGET_MS:.0f} ms target: {full_ms / TARGET_MS:.2f}"
    )


if __name__ == "__main__":
    main()
