"""The risk check a payment asks before the ledger sees it: read the features, assess,
count the event. When the features cannot be read (the counters raised), the fallback
rule set decides on the event alone (docs/adr/0055): never a crash in the payment path.
"""

from __future__ import annotations

import logging
import threading

from colony.risk.assess import assess
from colony.risk.features import FeatureStore
from colony.risk.model import Assessment, RiskEvent
from colony.risk.rules import DEFAULT_RULES, FALLBACK_RULES, RuleSet

_log = logging.getLogger(__name__)


class RiskCheck:
    def __init__(self, features: FeatureStore | None = None, rules: RuleSet = DEFAULT_RULES):
        self.features = features if features is not None else FeatureStore()
        self._rules = rules
        self._lock = threading.Lock()
        self.fallbacks = 0  # how many checks the fallback rules decided

    @property
    def rules(self) -> RuleSet:
        return self._rules

    def use_rules(self, rules: RuleSet) -> None:
        """Rules edited in the console take effect from the next check."""
        with self._lock:
            self._rules = rules

    def check(self, event: RiskEvent) -> Assessment:
        try:
            features = self.features.features(event)
        except Exception:
            # Broken counters are infrastructure failing: logged, counted, and the payment
            # is decided by the conservative rules instead.
            _log.exception("risk features unavailable; the fallback rules decide")
            self.fallbacks += 1
            return assess(event, None, FALLBACK_RULES)
        assessment = assess(event, features, self._rules)
        try:
            self.features.observe(event)
        except Exception:
            _log.exception("risk features not updated")
        return assessment
