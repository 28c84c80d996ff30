"""The corpus: every bad manifest breaks exactly one rule, named with its field; good ones pass clean."""

from __future__ import annotations

import pytest

from o2krm.oran.policy import RULES, validate
from tests.oran.policy.support import Case, cases, crd_catalog, describe

BAD = cases("bad")
GOOD = cases("good")


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD) >= 40
    assert all(case.expectation is not None for case in BAD), "every bad manifest declares its expectation"
    assert len(GOOD) >= 3


def test_every_rule_has_a_bad_manifest() -> None:
    covered = {case.expectation.rule for case in BAD if case.expectation}
    assert set(RULES) - covered == {"consistency.intent-unchecked"}  # environment-dependent: test_engine


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.id)
def test_bad_manifest_breaks_exactly_one_rule(case: Case) -> None:
    resources = case.resources()
    found = [
        (finding.rule, describe(resources, index), finding.field)
        for index, finding in validate(resources, case.config, crd_catalog())
    ]
    expected = case.expectation
    assert expected is not None
    assert found == [(expected.rule, expected.resource, expected.field)]


@pytest.mark.parametrize("case", BAD, ids=lambda c: c.id)
def test_bad_finding_has_the_configured_severity_and_tag(case: Case) -> None:
    ((_, finding),) = validate(case.resources(), case.config, crd_catalog())
    assert finding.severity == case.config.severity_of(finding.rule or "")
    assert finding.tags == {"rule": finding.rule}
    assert finding.message


@pytest.mark.parametrize("case", GOOD, ids=lambda c: c.id)
def test_good_manifest_has_no_finding(case: Case) -> None:
    assert validate(case.resources(), case.config, crd_catalog()) == []
