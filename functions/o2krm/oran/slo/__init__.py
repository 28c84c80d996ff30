"""SLO gates from intent targets: SLOGate and MeasurementJob models, PromQL generation and
``plan_gate``, the pure planning step behind the slo-gate-inject function."""

from o2krm.oran.slo.config import SloConfig
from o2krm.oran.slo.models import MeasurementJob, SLOGate
from o2krm.oran.slo.plan import plan_gate

__all__ = ["MeasurementJob", "SLOGate", "SloConfig", "plan_gate"]
