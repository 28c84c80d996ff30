"""intent-translate: TMF921 intents into 3GPP TS 28.312 Intents and their first IntentReports."""

from o2krm.oran import vocabulary as v
from o2krm.sdk.runner import KrmFunction

FUNCTION = KrmFunction(
    name="intent-translate",
    summary="translate TMF921 intents into 3GPP TS 28.312 Intents and IntentReports",
    process="o2krm.fns.intent_translate.fn:intent_translate",
    config="o2krm.fns.intent_translate.fn:Config",
    # TMF921 intents give work; so do the Intents/IntentReports this function made (pruning).
    kinds=[(v.TMF921_SEED_API.partition("/")[0], v.TMF921_KIND)],
    owner="intent-translate",
)
main = FUNCTION.main
