"""slo-gate-inject: one SLOGate and one MeasurementJob per ProvisioningRequest, from its intent's targets."""

from o2krm.sdk.runner import KrmFunction

FUNCTION = KrmFunction(
    name="slo-gate-inject",
    summary="generate SLO gates and measurement jobs for O2 IMS ProvisioningRequests",
    process="o2krm.fns.slo_gate_inject.fn:slo_gate_inject",
    config="o2krm.oran.slo.config:SloConfig",
    kinds=[("o2ims.provisioning.oran.org", "ProvisioningRequest")],
    owner="slo-gate-inject",
)
main = FUNCTION.main
