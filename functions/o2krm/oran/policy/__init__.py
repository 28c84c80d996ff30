"""policy-validate's domain: every rule over a whole package, as pure functions.

``validate(resources, config, crds)`` returns ``(resource index, Finding)`` pairs; ``RULES`` lists
every rule id with its default severity. Rule families live in one module each: schema,
pod_security, rbac, network, supply_chain, network_config, slo_gates, intents.
"""

from o2krm.oran.policy.config import Exemption, PolicyConfig
from o2krm.oran.policy.engine import Located, validate
from o2krm.oran.policy.rules import RULES, Rule
from o2krm.oran.policy.schema import CrdCatalog

__all__ = ["RULES", "CrdCatalog", "Exemption", "Located", "PolicyConfig", "Rule", "validate"]
