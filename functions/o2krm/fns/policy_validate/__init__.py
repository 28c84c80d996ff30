"""policy-validate: one validator for the whole package (schemas, pod security, RBAC, network,
supply chain, and O-RAN consistency). It never changes an item."""

from o2krm.sdk.runner import KrmFunction

FUNCTION = KrmFunction(
    name="policy-validate",
    summary="validate a package: schemas, pod security, RBAC, network, images and O-RAN consistency",
    process="o2krm.fns.policy_validate.fn:policy_validate",
    config="o2krm.oran.policy.config:PolicyConfig",
    validator=True,
)
main = FUNCTION.main
