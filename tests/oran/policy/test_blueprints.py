"""Every blueprint package a user `kpt pkg get`s passes policy-validate with no finding at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2krm.oran.policy import PolicyConfig, validate
from tests.oran.policy.support import ROOT, crd_catalog, load_documents

PACKAGES = sorted(kptfile.parent for kptfile in (ROOT / "packages").glob("**/Kptfile"))


def package_resources(root: Path) -> list[dict]:
    return [
        doc
        for path in sorted(root.rglob("*.yaml"))
        if ".expected" not in path.parts and "Kptfile" not in path.name
        for doc in load_documents(path)
    ]


@pytest.mark.skipif(not PACKAGES, reason="no blueprint package under packages/ yet")
@pytest.mark.parametrize("root", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_blueprint_has_no_finding(root: Path) -> None:
    found = [
        (index, finding.rule, finding.field, finding.message)
        for index, finding in validate(package_resources(root), PolicyConfig(), crd_catalog())
    ]
    assert found == []
