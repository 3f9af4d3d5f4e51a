"""Risk control in the payment path (docs/adr/0055): streaming features, rules as data, a
pure assessment, and the check a payment asks before the ledger sees it."""

from __future__ import annotations

from colony.risk.assess import assess
from colony.risk.check import RiskCheck
from colony.risk.features import FeatureStore, tracked_keys_max, window_events_max
from colony.risk.model import Assessment, Channel, Decision, Features, Place, Reason, RiskEvent
from colony.risk.rules import (
    DEFAULT_RULES,
    FALLBACK_RULES,
    Mode,
    Rule,
    RuleSet,
)
from colony.risk.sql_store import open_assessment_store
from colony.risk.store import AssessmentStore, KeptAssessment, RuleChange
from colony.risk.unit_texts import DECISION_TEXTS, MODE_TEXTS, THRESHOLD_UNITS

__all__ = [
    "DECISION_TEXTS",
    "DEFAULT_RULES",
    "FALLBACK_RULES",
    "MODE_TEXTS",
    "THRESHOLD_UNITS",
    "Assessment",
    "AssessmentStore",
    "Channel",
    "Decision",
    "FeatureStore",
    "Features",
    "KeptAssessment",
    "Mode",
    "Place",
    "Reason",
    "RiskCheck",
    "RiskEvent",
    "Rule",
    "RuleChange",
    "RuleSet",
    "assess",
    "open_assessment_store",
    "tracked_keys_max",
    "window_events_max",
]
