"""The rows a scorecard is trained on: each recorded outcome, with the subject's
characteristics as they stood at the loan's decision, never after it. Training reads the
outcomes; scoring never does."""

from __future__ import annotations

from collections.abc import Callable

from colony.credit.decisions import ComplaintCount, merchant_features_at, person_features_at
from colony.credit.features import RepaymentRecord
from colony.credit.score_records import Outcome
from colony.credit.scorecard import Subject
from colony.credit.training import TrainingRow
from colony.ledger import LedgerPort
from colony.merchants import Merchant
from colony.wallets import Wallet


def training_rows(
    ledger: LedgerPort,
    outcomes: list[Outcome],
    wallet_by_id: Callable[[str], Wallet | None],
    merchant_by_id: Callable[[str], Merchant | None],
    complaints: ComplaintCount | None = None,
) -> list[TrainingRow]:
    """A row per outcome whose subject is found (an unknown one is left out); a merchant's
    complaints are counted as of its decision, as scoring counts them."""
    rows = []
    for outcome in outcomes:
        record = (
            RepaymentRecord(outcome.prior_repaid, outcome.prior_overdue)
            if outcome.prior_repaid or outcome.prior_overdue
            else None  # no earlier loan: the record says "no history", as in scoring
        )
        if outcome.subject is Subject.person:
            wallet = wallet_by_id(outcome.subject_id)
            if wallet is None:
                continue
            features, _ = person_features_at(ledger, wallet, outcome.decided_at_ns, record)
        else:
            merchant = merchant_by_id(outcome.subject_id)
            if merchant is None:
                continue
            features, _ = merchant_features_at(
                ledger, merchant, outcome.decided_at_ns, record, complaints
            )
        truth = None if outcome.true_pd_ppm is None else outcome.true_pd_ppm / 1_000_000
        rows.append(TrainingRow(outcome.subject_id, features, outcome.defaulted, truth))
    return rows
