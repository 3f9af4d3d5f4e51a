"""What credit scoring keeps beside the ledger: consents and their withdrawals, every score
given, and the outcomes of loans that training learns from (docs/adr/0046)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from colony.credit.scorecard import Reason, Subject


class ConsentAction(enum.StrEnum):
    given = "given"
    withdrawn = "withdrawn"


@dataclass(frozen=True)
class ConsentEvent:
    """A person gave consent to be scored, or withdrew it, under a model version."""

    id: str  # "ccn_" + hex
    wallet_id: str
    action: ConsentAction
    at_ns: int
    model_version: str


@dataclass(frozen=True)
class ScoreRecord:
    """A score given: its reasons, the band and limit decided from it."""

    id: str  # "csc_" + hex
    subject: Subject
    subject_id: str
    scored_at_ns: int
    model_version: str
    score: int
    reasons: tuple[Reason, ...]
    band: str
    limit_minor: int
    currency: str
    consent_id: str | None  # a person's: the consent it was given under
    asked_by: str  # "wallet" (the person) or "operator"


@dataclass(frozen=True)
class Outcome:
    """A loan decided at `decided_at_ns` and whether it was repaid: what training learns from.
    Simulated markets write theirs (`source` "simulated"); loans will write real ones."""

    subject: Subject
    subject_id: str
    decided_at_ns: int
    principal_minor: int
    currency: str
    defaulted: bool
    source: str
    true_pd_ppm: int | None = None  # a simulated market's own probability, per million
    # The subject's earlier loans at the decision: repaid on time, and gone overdue.
    prior_repaid: int = 0
    prior_overdue: int = 0
