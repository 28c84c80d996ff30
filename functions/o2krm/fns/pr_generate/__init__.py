"""pr-generate: one O2 IMS ProvisioningRequest per target O-Cloud site of each 28.312 Intent."""

from o2krm.oran import vocabulary as v
from o2krm.sdk.runner import KrmFunction

_O2KRM_GROUP = v.O2KRM_API.partition("/")[0]

FUNCTION = KrmFunction(
    name="pr-generate",
    summary="generate O2 IMS ProvisioningRequests from 3GPP TS 28.312 intents",
    process="o2krm.fns.pr_generate.fn:pr_generate",
    config="o2krm.fns.pr_generate.fn:Config",
    # The inputs that give work; a package with none of them (and no request this function
    # made) passes through untouched.
    kinds=[
        (v.INTENT_3GPP_API.partition("/")[0], v.INTENT_3GPP_KIND),
        (_O2KRM_GROUP, v.SITE_CATALOG_KIND),
        (_O2KRM_GROUP, v.TEMPLATE_CATALOG_KIND),
    ],
    owner="pr-generate",
)
main = FUNCTION.main
