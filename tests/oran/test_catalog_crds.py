"""The catalog CRDs: well-formed, structural, and in agreement with the models that read them."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from o2krm.oran import vocabulary as v
from o2krm.oran.findings import DomainError
from o2krm.oran.quantity import QuantityError, parse_quantity
from o2krm.oran.sites import SiteCatalog
from o2krm.oran.templates import TemplateCatalog
from tests.oran.pr_support import (
    SITE_CATALOG_CRD,
    TEMPLATE_CATALOG_CRD,
    schema_errors,
    site_catalog,
    template_catalog,
)

CRDS = {v.SITE_CATALOG_KIND: SITE_CATALOG_CRD, v.TEMPLATE_CATALOG_KIND: TEMPLATE_CATALOG_CRD}


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_crd_names_the_kind_of_the_vocabulary(kind: str) -> None:
    crd = yaml.safe_load(CRDS[kind].read_text())
    group, version = v.O2KRM_API.split("/")
    names = crd["spec"]["names"]
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    assert (crd["spec"]["group"], names["kind"]) == (group, kind)
    assert crd["metadata"]["name"] == f"{names['plural']}.{group}"
    assert [ver["name"] for ver in crd["spec"]["versions"]] == [version]


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, child in (node.get("properties") or {}).items():
            found += _walk(child, f"{path}.{key}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                found += _walk(node[key], f"{path}[{key}]")
    return found


@pytest.mark.parametrize("kind", sorted(CRDS))
def test_schema_is_structural(kind: str) -> None:
    """What the API server demands of a CRD schema: a type everywhere, no $ref, no additionalProperties
    next to properties; int-or-string only in its one allowed shape."""
    crd = yaml.safe_load(CRDS[kind].read_text())
    (version,) = crd["spec"]["versions"]
    assert "$ref" not in CRDS[kind].read_text()
    for path, node in _walk(version["schema"]["openAPIV3Schema"]):
        if node.get("x-kubernetes-int-or-string"):
            assert node["anyOf"] == [{"type": "integer"}, {"type": "string"}], path
            assert "type" not in node, path
        else:
            assert "type" in node, f"{path} has no type"
        assert not ("properties" in node and "additionalProperties" in node), path


@pytest.mark.parametrize(
    ("example", "crd"),
    [(site_catalog(), SITE_CATALOG_CRD), (template_catalog(), TEMPLATE_CATALOG_CRD)],
    ids=["sites", "templates"],
)
def test_the_examples_are_valid(example: dict[str, Any], crd: Path) -> None:
    assert schema_errors(example, crd) == []


def _broken_site(change: Any) -> dict[str, Any]:
    catalog = copy.deepcopy(site_catalog())
    change(catalog["spec"]["sites"][0])
    return catalog


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.pop("capacity"), "spec.sites.0"),
        (lambda s: s["capacity"].update(cpu="lots"), "spec.sites.0.capacity.cpu"),
        (lambda s: s["capacity"].update(memory="-1Gi"), "spec.sites.0.capacity.memory"),
        (lambda s: s.update(name="Edge_West"), "spec.sites.0.name"),
        (lambda s: s.update(tier="far-edge"), "spec.sites.0.tier"),
        (lambda s: s["network"]["vlanRange"].update(start=0), "spec.sites.0.network.vlanRange.start"),
        (lambda s: s["network"]["networks"].update(n9={}), "spec.sites.0.network.networks.n9"),
        (lambda s: s["network"].pop("vlanRange"), "spec.sites.0.network"),
    ],
)
def test_the_site_crd_rejects_what_the_model_rejects(change: Any, where: str) -> None:
    broken = _broken_site(change)
    errors = schema_errors(broken, SITE_CATALOG_CRD)
    assert errors and errors[0].startswith(where), errors
    if "network" not in where:  # pr-generate leaves the network block to network-config
        with pytest.raises(DomainError):
            SiteCatalog.from_resources([broken])


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.pop("networkFunctions"),
        lambda t: t.update(networkFunctions=[]),
        lambda t: t.update(version="v 1"),
        lambda t: t.update(serviceTypes="eMBB"),
    ],
)
def test_the_template_crd_and_model_reject_bad_templates(change: Any) -> None:
    catalog = copy.deepcopy(template_catalog())
    change(catalog["spec"]["templates"][0])
    assert schema_errors(catalog, TEMPLATE_CATALOG_CRD) != []
    with pytest.raises(DomainError):
        TemplateCatalog.from_resources([catalog])


@cache
def _crd_quantity_pattern() -> re.Pattern[str]:
    crd = yaml.safe_load(SITE_CATALOG_CRD.read_text())
    (version,) = crd["spec"]["versions"]
    sites = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["sites"]
    return re.compile(sites["items"]["properties"]["capacity"]["properties"]["cpu"]["pattern"])


@given(st.text(alphabet="0123456789.+-eEKMGTPinumk ", max_size=8))
def test_crd_quantity_pattern_and_parser_agree(text: str) -> None:
    """A capacity string passes the CRD pattern exactly when the parser reads it as a quantity
    written without a minus sign (the parser also refuses what no pattern can see: values
    beyond 2^63-1)."""
    try:
        parser_ok = not text.startswith("-") and parse_quantity(text).amount >= 0
    except QuantityError as error:
        assume("larger than" not in str(error) and "out of range" not in str(error))
        parser_ok = False
    assert bool(_crd_quantity_pattern().fullmatch(text)) == parser_ok, text
