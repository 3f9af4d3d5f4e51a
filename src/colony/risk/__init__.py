"""Risk control in the payment path (docs/adr/0055): streaming features, rules as data, a
pure assessment, and the check a payment asks before the ledger sees it."""

from __future__ import annotations

from colony.risk.assess import assess
from colony.risk.check import RiskCheck
from colony.risk.features import Counters, FeatureStore, tracked_keys_max, window_events_max
from colony.risk.fraud_model import FraudModel
from colony.risk.fraud_model import default_model as default_fraud_model
from colony.risk.fraud_model import load_model as load_fraud_model
from colony.risk.fraud_model import model_text as fraud_model_text
from colony.risk.model import Assessment, Channel, Decision, Features, Place, Reason, RiskEvent
from colony.risk.rules import (
    DEFAULT_RULES,
    FALLBACK_RULES,
    Mode,
    Rule,
    RuleSet,
)
from colony.risk.shared_counters import SharedCounters, counter_calls
from colony.risk.sql_store import open_assessment_store
from colony.risk.store import AssessmentStore, KeptAssessment, RuleChange
from colony.risk.training import (
    CLEAN,
    LabelledEvent,
    Measured,
    RefundSeen,
    fit,
    measure,
    replay,
    review_rate_bps,
    split,
)
from colony.risk.unit_texts import DECISION_TEXTS, MODE_TEXTS, THRESHOLD_UNITS
from colony.risk.usd_units import minor_per_usd
from colony.risk.usd_units import table_rows as usd_units_rows

__all__ = [
    "CLEAN",
    "DECISION_TEXTS",
    "DEFAULT_RULES",
    "FALLBACK_RULES",
    "MODE_TEXTS",
    "THRESHOLD_UNITS",
    "Assessment",
    "AssessmentStore",
    "Channel",
    "Counters",
    "Decision",
    "FeatureStore",
    "Features",
    "FraudModel",
    "KeptAssessment",
    "LabelledEvent",
    "Measured",
    "Mode",
    "Place",
    "Reason",
    "RefundSeen",
    "RiskCheck",
    "RiskEvent",
    "Rule",
    "RuleChange",
    "RuleSet",
    "SharedCounters",
    "assess",
    "counter_calls",
    "default_fraud_model",
    "fit",
    "fraud_model_text",
    "load_fraud_model",
    "measure",
    "minor_per_usd",
    "open_assessment_store",
    "replay",
    "review_rate_bps",
    "split",
    "tracked_keys_max",
    "usd_units_rows",
    "window_events_max",
]
