"""Names shared by every stage of the pipeline: API groups, kinds, annotations, labels,
target names and context attributes.

This module is the contract between the functions. A name that two stages agree on
lives here and nowhere else. Every label and annotation the project invents uses the
``o2krm.io/`` prefix; the two unprefixed labels (``intent.source``, ``workflow.stage``)
are the ones the user's seed document shows and are kept for compatibility.
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "o2krm.io"

# --- annotations and labels -------------------------------------------------------
ANN_OWNED_BY: Final = f"{PREFIX}/owned-by"  # generator that owns the item (SDK generator)
ANN_SOURCE: Final = f"{PREFIX}/source"  # "<kind>/<name>" of the resource it was made from
ANN_ORIGINAL: Final = f"{PREFIX}/original-expression"  # untranslated source text, for audit
LABEL_INTENT: Final = f"{PREFIX}/intent"  # name of the 28.312 intent
LABEL_SITE: Final = f"{PREFIX}/site"  # O-Cloud site name
LABEL_INTENT_SOURCE: Final = "intent.source"  # seed: "tmf921"
LABEL_WORKFLOW_STAGE: Final = "workflow.stage"  # seed: "provisioning"
LOCAL_CONFIG: Final = "config.kubernetes.io/local-config"

# --- API versions and kinds ------------------------------------------------------
TMF921_SEED_API: Final = "tmf921.intent.tmforum.org/v1"  # the seed's simplified KRM form
TMF921_V5_API: Final = "tmf921.intent.tmforum.org/v5"  # KRM envelope, spec = TMF921 v5 Intent body
TMF921_KIND: Final = "Intent"

INTENT_3GPP_API: Final = "intent.3gpp.org/v1alpha1"  # what intent-translate emits
INTENT_3GPP_SEED_API: Final = "intent.3gpp.org/v28.312"  # accepted as input (the seed's form)
INTENT_3GPP_KIND: Final = "Intent"
INTENT_REPORT_KIND: Final = "IntentReport"

PR_API: Final = "o2ims.provisioning.oran.org/v1alpha1"
PR_KIND: Final = "ProvisioningRequest"

O2KRM_API: Final = f"{PREFIX}/v1alpha1"
SITE_CATALOG_KIND: Final = "OCloudSiteCatalog"
TEMPLATE_CATALOG_KIND: Final = "ProvisioningTemplateCatalog"

SLOGATE_API: Final = "gate.slo.nephio.org/v1alpha1"
SLOGATE_KIND: Final = "SLOGate"
MEASUREMENT_JOB_API: Final = "measurement.o2ims.org/v1alpha1"
MEASUREMENT_JOB_KIND: Final = "MeasurementJob"

IPCLAIM_API: Final = "ipam.resource.nephio.org/v1alpha1"
VLANCLAIM_API: Final = "vlan.resource.nephio.org/v1alpha1"
NAD_API: Final = "k8s.cni.cncf.io/v1"

# --- 28.312 vocabulary the pipeline relies on ------------------------------------
# Canonical expectation target names and the unit each one's targetValueRange is in.
# 28.312 targets carry no unit field, so the unit is fixed by the name.
TARGET_LATENCY: Final = "latency"  # ms (one-way, p95 unless a context says otherwise)
TARGET_THROUGHPUT: Final = "throughput"  # Mbit/s
TARGET_RELIABILITY: Final = "reliability"  # ratio 0..1
TARGET_SUCCESS_RATE: Final = "successRate"  # ratio 0..1
TARGET_AVAILABILITY: Final = "availability"  # ratio 0..1
TARGET_UNITS: Final[dict[str, str]] = {
    TARGET_LATENCY: "ms",
    TARGET_THROUGHPUT: "Mbps",
    TARGET_RELIABILITY: "ratio",
    TARGET_SUCCESS_RATE: "ratio",
    TARGET_AVAILABILITY: "ratio",
}
# Standard 28.312 RAN target names read as the canonical ones above.
TARGET_ALIASES: Final[dict[str, str]] = {
    "dLLatency": TARGET_LATENCY,
    "uLLatency": TARGET_LATENCY,
    "dLThptPerUE": TARGET_THROUGHPUT,
    "uLThptPerUE": TARGET_THROUGHPUT,
}

# Context attributes on expectationObject.objectContexts (or expectationContexts).
CTX_TARGET_SITE: Final = "targetSite"  # IS_ONE_OF [site names or glob patterns]
CTX_REGION: Final = "region"  # IS_EQUAL_TO "us-west-1"
CTX_NETWORK_FUNCTIONS: Final = "networkFunctions"  # IS_ALL_OF ["CU-CP", "CU-UP", "DU"]
CTX_SERVICE_TYPE: Final = "serviceType"  # IS_EQUAL_TO "eMBB" | "URLLC" | "mMTC"

NETWORK_FUNCTIONS: Final = ("CU-CP", "CU-UP", "DU")
SERVICE_TYPES: Final = ("eMBB", "URLLC", "mMTC")

# 28.312 Condition values
IS_EQUAL_TO: Final = "IS_EQUAL_TO"
IS_LESS_THAN: Final = "IS_LESS_THAN"
IS_GREATER_THAN: Final = "IS_GREATER_THAN"
IS_WITHIN_RANGE: Final = "IS_WITHIN_RANGE"
IS_OUTSIDE_RANGE: Final = "IS_OUTSIDE_RANGE"
IS_ONE_OF: Final = "IS_ONE_OF"
IS_NOT_ONE_OF: Final = "IS_NOT_ONE_OF"
IS_EQUAL_TO_OR_LESS_THAN: Final = "IS_EQUAL_TO_OR_LESS_THAN"
IS_EQUAL_TO_OR_GREATER_THAN: Final = "IS_EQUAL_TO_OR_GREATER_THAN"
IS_ALL_OF: Final = "IS_ALL_OF"
