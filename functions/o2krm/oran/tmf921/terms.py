"""How the words a TMF921 intent uses are read: verbs, O-RAN functions, metrics, contexts.

Every table here is documented in the Mapping section of ``fns/intent_translate/README.md``;
a word not found in a table is not guessed at: the translator reports it by name and carries
it as written.

Lookups compare a *key*: the word in lower case with everything but letters and digits
removed, so "o-ran-cu", "O_RAN_CU" and "oranCU" are the same word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from o2krm.oran import vocabulary as v
from o2krm.oran.tmf921.model import ExpectationKind

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_TOKEN_SPLIT = re.compile(r"[_\-\s./]+")


def key(word: str) -> str:
    return _NOT_ALNUM.sub("", word.lower())


# --- verbs (seed expectationVerbs) and expectation classes (TIO) -------------------
_VERBS: Final[dict[str, ExpectationKind]] = {
    **dict.fromkeys(
        (
            "deploy", "deployment", "deliver", "delivery", "create", "provision", "provisioning",
            "instantiate", "install", "scale", "scaling", "scaleout", "scalein", "expand",
            "add", "upgrade", "update", "modify", "configure",
        ),
        ExpectationKind.DELIVERY,
    ),
    **dict.fromkeys(
        (
            "maintain", "ensure", "assure", "assurance", "guarantee", "keep", "sustain", "meet",
            "preserve", "property",
        ),
        ExpectationKind.ASSURANCE,
    ),
    **dict.fromkeys(
        ("report", "reporting", "observationreporting", "monitor"), ExpectationKind.REPORTING
    ),
}  # fmt: skip


def verb_kind(verb: str) -> ExpectationKind | None:
    """``deploy`` -> DELIVERY; ``icm:PropertyExpectation`` -> ASSURANCE; unknown -> None."""
    local = verb.rsplit(":", 1)[-1]
    word = key(local)
    if word.endswith("expectation") and word != "expectation":
        word = word[: -len("expectation")]
    return _VERBS.get(word)


# --- O-RAN network functions --------------------------------------------------------
_CU_CP, _CU_UP, _DU = v.NETWORK_FUNCTIONS
_FUNCTIONS: Final[dict[str, tuple[str, ...]]] = {
    **dict.fromkeys(("cu", "orancu", "ocu", "gnbcu"), (_CU_CP, _CU_UP)),
    **dict.fromkeys(("cucp", "orancucp", "ocucp", "gnbcucp"), (_CU_CP,)),
    **dict.fromkeys(("cuup", "orancuup", "ocuup", "gnbcuup"), (_CU_UP,)),
    **dict.fromkeys(("du", "orandu", "odu", "gnbdu"), (_DU,)),
    **dict.fromkeys(("gnb", "orangnb"), (_CU_CP, _CU_UP, _DU)),
}


def network_functions(name: str) -> tuple[str, ...] | None:
    """``o-ran-cu`` -> (CU-CP, CU-UP); ``o-ran-du`` -> (DU,); unknown -> None."""
    return _FUNCTIONS.get(key(name.rsplit(":", 1)[-1]))


def order_functions(functions: set[str]) -> tuple[str, ...]:
    """Network functions in the contract's order (CU-CP, CU-UP, DU)."""
    return tuple(f for f in v.NETWORK_FUNCTIONS if f in functions)


# --- seed target names that name an aspect, not a place -----------------------------
ASPECT_WORDS: Final = frozenset(
    {
        "performance", "capacity", "coverage", "quality", "qos", "sla", "slo", "reliability",
        "availability", "resilience", "security", "energy", "latency", "throughput",
    }
)  # fmt: skip


def is_aspect(name: str) -> bool:
    return key(name) in ASPECT_WORDS


# --- metrics --------------------------------------------------------------------------
_METRICS: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "latency", "latencyrequirement", "latencytarget", "e2elatency", "endtoendlatency",
            "networklatency", "delay", "packetdelay", "onewaylatency",
        ),
        v.TARGET_LATENCY,
    ),
    **dict.fromkeys(
        (
            "throughput", "throughputrequirement", "throughputtarget", "bandwidth",
            "networkbandwidth", "datarate", "bitrate",
        ),
        v.TARGET_THROUGHPUT,
    ),
    **dict.fromkeys(("reliability", "reliabilityrequirement"), v.TARGET_RELIABILITY),
    **dict.fromkeys(("availability", "serviceavailability"), v.TARGET_AVAILABILITY),
    **dict.fromkeys(("successrate", "successratio", "success"), v.TARGET_SUCCESS_RATE),
}  # fmt: skip

# The direction in which a metric gets better, for bare values ("reliability: 99.999%").
LOWER_IS_BETTER: Final = frozenset({v.TARGET_LATENCY})
HIGHER_IS_BETTER: Final = frozenset(
    {v.TARGET_THROUGHPUT, v.TARGET_RELIABILITY, v.TARGET_AVAILABILITY, v.TARGET_SUCCESS_RATE}
)


@dataclass(frozen=True)
class MetricName:
    target_name: str  # what the 28.312 target is called
    canonical: str | None  # its vocabulary name (fixes the unit); None when unknown


def metric_name(written: str) -> MetricName:
    """``latency_requirement`` -> latency; ``dLLatency`` stays (a 28.312 name); else as written.

    TIO metric IRIs often carry a suffix (``NetworkLatency_CO12ab``): the first token is
    tried when the whole name is unknown.
    """
    local = written.rsplit(":", 1)[-1]
    if local in v.TARGET_ALIASES:
        return MetricName(local, v.TARGET_ALIASES[local])
    canonical = _METRICS.get(key(local))
    if canonical is None:
        first = _TOKEN_SPLIT.split(local, 1)[0]
        canonical = _METRICS.get(key(first)) if first != local else None
    if canonical is None:
        return MetricName(local, None)
    return MetricName(canonical, canonical)


def is_metric(written: str) -> bool:
    return metric_name(written).canonical is not None


# --- context attributes ------------------------------------------------------------------
_CONTEXT_ROLES: Final[dict[str, str]] = {
    **dict.fromkeys(
        (
            "targetsite", "site", "sites", "edgesite", "cluster", "targetcluster", "edgecluster",
            "ocloud", "ocloudsite",
        ),
        v.CTX_TARGET_SITE,
    ),
    **dict.fromkeys(("region", "location", "area", "geography"), v.CTX_REGION),
    **dict.fromkeys(("servicetype", "slicetype", "sliceservicetype"), v.CTX_SERVICE_TYPE),
    **dict.fromkeys(
        ("networkfunctions", "networkfunction", "functions", "nfs"), v.CTX_NETWORK_FUNCTIONS
    ),
}  # fmt: skip


def context_role(attribute: str) -> str | None:
    """``location`` -> region, ``site`` -> targetSite, ...; unknown -> None."""
    return _CONTEXT_ROLES.get(key(attribute.rsplit(":", 1)[-1]))


_SERVICE_TYPES: Final = {key(t): t for t in v.SERVICE_TYPES}


def service_type(value: str) -> str | None:
    """``urllc`` -> URLLC; unknown -> None."""
    return _SERVICE_TYPES.get(key(value))
