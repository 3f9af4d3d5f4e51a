"""A credit decision: a subject's characteristics as of a moment, its score with reasons, and
the limit its band allows. Pure reads of the ledger; nothing is recorded here (scoring.py
records what a person or the operator asked for)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from colony.credit.account_history import read_history
from colony.credit.features import (
    Capacity,
    Features,
    RepaymentRecord,
    merchant_capacity,
    merchant_features,
    person_capacity,
    person_features,
)
from colony.credit.limits import Limit, limit_for
from colony.credit.scorecard import Model, Score, Subject
from colony.ledger import LedgerPort
from colony.merchants import Merchant
from colony.wallets import Wallet

# How many complaints people filed about a merchant (by id) from one moment up to another
# (ns, the first included): the complaints' own store answers it (docs/adr/0065).
ComplaintCount = Callable[[str, int, int], int]


@dataclass(frozen=True)
class Decision:
    subject: Subject
    subject_id: str
    as_of_ns: int
    features: Features
    score: Score
    limit: Limit


def person_features_at(
    ledger: LedgerPort, wallet: Wallet, as_of_ns: int, repayment: RepaymentRecord | None = None
) -> tuple[Features, Capacity]:
    """A wallet's characteristics as of `as_of_ns`, and its monthly money in."""
    history = read_history(ledger, wallet.account_id, as_of_ns, opened_at_ns=wallet.created_at_ns)
    found = person_features(
        history, tier=int(wallet.tier), created_at_ns=wallet.created_at_ns, repayment=repayment
    )
    return found, person_capacity(history, wallet.currency)


def merchant_features_at(
    ledger: LedgerPort,
    merchant: Merchant,
    as_of_ns: int,
    repayment: RepaymentRecord | None = None,
    complaints: ComplaintCount | None = None,
) -> tuple[Features, Capacity]:
    """A merchant's characteristics as of `as_of_ns`, and its monthly net sales; complaints
    are counted over the same window as its sales."""
    history = read_history(
        ledger, merchant.account_id, as_of_ns, opened_at_ns=merchant.created_at_ns
    )
    counted = None if complaints is None else complaints(merchant.id, history.start_ns, as_of_ns)
    found = merchant_features(
        history,
        created_at_ns=merchant.created_at_ns,
        repayment=repayment,
        complaints=counted,
    )
    return found, merchant_capacity(history, merchant.currency)


def decide_person(
    model: Model,
    ledger: LedgerPort,
    wallet: Wallet,
    as_of_ns: int,
    repayment: RepaymentRecord | None = None,
) -> Decision:
    features, capacity = person_features_at(ledger, wallet, as_of_ns, repayment)
    score = model.score(Subject.person, features)
    limit = limit_for(Subject.person, score.value, capacity)
    return Decision(Subject.person, wallet.id, as_of_ns, features, score, limit)


def decide_merchant(
    model: Model,
    ledger: LedgerPort,
    merchant: Merchant,
    as_of_ns: int,
    repayment: RepaymentRecord | None = None,
    complaints: ComplaintCount | None = None,
) -> Decision:
    features, capacity = merchant_features_at(ledger, merchant, as_of_ns, repayment, complaints)
    score = model.score(Subject.merchant, features)
    limit = limit_for(Subject.merchant, score.value, capacity)
    return Decision(Subject.merchant, merchant.id, as_of_ns, features, score, limit)
