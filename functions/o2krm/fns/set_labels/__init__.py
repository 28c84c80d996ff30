"""set-labels: the SDK's example function. Sets labels on every item (or the selected kinds)."""

from o2krm.sdk.runner import KrmFunction

FUNCTION = KrmFunction(
    name="set-labels",
    summary="set labels on resources",
    process="o2krm.fns.set_labels.fn:set_labels",
    config="o2krm.fns.set_labels.fn:Config",
)
main = FUNCTION.main
