"""A 1000-resource package validates well inside the adapter's budget (bench/ measures against kpt)."""

from __future__ import annotations

import json
import time
from typing import Any

from o2krm.oran.policy import CrdCatalog, PolicyConfig, k8s_schemas, validate
from tests.oran.policy.support import DATA, crd_documents, load_documents

BUDGET_SECONDS = 0.5  # kpt's exec-cat floor for such a package is ~1 s; the target is 1.5x that, end to end


def package(size: int) -> list[dict[str, Any]]:
    """Renamed copies of the good packages (each copy its own site and namespace), padded with ConfigMaps."""
    base = json.dumps(
        load_documents(DATA / "good" / "oran-edge-package.yaml")
        + load_documents(DATA / "good" / "all-workload-kinds.yaml")
    )
    resources: list[dict[str, Any]] = []
    copy_number = 0
    while True:
        renamed = base.replace("edge-", f"edge-{copy_number}-").replace('"oran"', f'"oran-{copy_number}"')
        batch = json.loads(renamed)
        if len(resources) + len(batch) > size:
            break
        resources.extend(batch)
        copy_number += 1
    resources.extend(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"pad-{i}", "namespace": "oran"},
            "data": {"k": "v"},
        }
        for i in range(size - len(resources))
    )
    return resources


def test_thousand_resources_validate_within_budget_from_cold_caches() -> None:
    resources = package(1000)
    catalog = CrdCatalog.from_documents(crd_documents())
    k8s_schemas.load_builtin_schemas.cache_clear()  # pay schema loading and compilation, as a new process does
    start = time.perf_counter()
    result = validate(resources, PolicyConfig(), catalog, intent_validator=lambda: None)
    elapsed = time.perf_counter() - start
    assert len(resources) == 1000
    assert [f.rule for _, f in result] == ["consistency.intent-unchecked"]
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.3f} s"
