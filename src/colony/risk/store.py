"""Where assessments are kept beside their payments (`sql_store.py` on either backend)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

from colony.risk.model import Assessment, RiskEvent
from colony.risk.rules import Rule

# The console's list of recent assessments, in rows.
recent_page_max = 100


@dataclass(frozen=True)
class KeptAssessment:
    payment_id: int
    event: RiskEvent
    assessment: Assessment
    review_outcome: str | None = None
    reviewed_by: str | None = None
    reviewed_at_ns: int | None = None


@dataclass(frozen=True)
class RuleChange:
    version: int
    rule: Rule
    changed_by: str
    note: str
    changed_at_ns: int


class AssessmentStore(Protocol):
    def keep(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        """Keep the assessment once: a second for the same payment is ignored."""

    def keep_later(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> Future[None]:
        """As `keep`, without waiting: the future is done once the assessment is durable."""

    def keep_behind(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        """Keep an assessment that changed nothing (an allow): written behind with others,
        soon; read back at once in this process; lost if it stops before the write."""

    def by_payment(self, payment_id: int) -> KeptAssessment | None: ...

    def recent(self, limit: int = recent_page_max) -> list[KeptAssessment]:
        """The newest first."""

    def newest(self, limit: int) -> list[KeptAssessment]:
        """The newest `limit` assessments, newest first: what a restarted check remembers
        (its decisions for payments that may be retried)."""

    def held(self, since_ns: int, limit: int = recent_page_max) -> list[KeptAssessment]:
        """The reviews still undecided, assessed after `since_ns`, the newest first."""

    def decide(self, payment_id: int, outcome: str, by: str, at_ns: int) -> bool:
        """Record an analyst's decision on a review: False if already decided or unknown."""

    def add_rule_change(self, change: RuleChange) -> bool:
        """Append a change: False if its version was taken (another change came first)."""

    def rule_changes(self) -> list[RuleChange]:
        """Every change, oldest first (a handful a week: the whole log is read)."""

    def newest_rule_version(self) -> int:
        """The version of the newest change (0: none yet): one indexed read, asked by every
        worker every `rules_look_every_s` (docs/adr/0067)."""

    def close(self) -> None: ...
