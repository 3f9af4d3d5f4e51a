"""Credit scores as a person (or the operator) asks for them: only with the person's consent,
recorded with its time and the model's version; a withdrawal stops scoring and is recorded
too. Every score given is kept with its reasons, band and limit, so a person can see their
history (docs/adr/0046).

A merchant is a business scored by the operator under its merchant agreement, not a person
giving consent; its scores are kept the same way, asked by "operator".
"""

from __future__ import annotations

from collections.abc import Callable

from colony.credit.decisions import ComplaintCount, Decision, decide_merchant, decide_person
from colony.credit.features import RepaymentRecord
from colony.credit.score_records import ConsentAction, ConsentEvent, ScoreRecord
from colony.credit.score_results import ScoreResult
from colony.credit.score_store import ScoreStore
from colony.credit.scorecard import Model, Subject
from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.ledger import LedgerPort
from colony.merchants import Merchant
from colony.wallets import Wallet

# The most scores a history shows (newest first).
history_scores_max = 50


class CreditScores:
    def __init__(
        self,
        ledger: LedgerPort,
        store: ScoreStore,
        model: Model,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._ledger = ledger
        self._store = store
        # How the person has repaid credit with Colony (the credit line's bills), when known:
        # a late bill moves the score (docs/adr/0052).
        self.repayments: Callable[[Wallet], RepaymentRecord | None] | None = None
        # How the merchant has repaid its loans from sales, when known (docs/adr/0064).
        self.merchant_repayments: Callable[[Merchant], RepaymentRecord | None] | None = None
        # How many complaints people filed about a merchant, when counted (docs/adr/0065).
        self.merchant_complaints: ComplaintCount | None = None
        self.model = model
        self._clock = clock
        self._ids = ids

    # Consent --------------------------------------------------------------------------------

    def consents(self, wallet_id: str) -> list[ConsentEvent]:
        """Every consent given and withdrawn, oldest first."""
        return self._store.consents(wallet_id)

    def consent_in_force(self, wallet_id: str) -> ConsentEvent | None:
        """The consent the wallet's holder gave and has not withdrawn since, if any."""
        events = self._store.consents(wallet_id)
        last = events[-1] if events else None
        return last if last is not None and last.action is ConsentAction.given else None

    def give_consent(self, wallet: Wallet) -> tuple[ScoreResult, ConsentEvent]:
        """Consent to be scored, under the model in use; given already, that one stands."""
        found = self.consent_in_force(wallet.id)
        if found is not None:
            return ScoreResult.ok, found
        return ScoreResult.ok, self._record(wallet, ConsentAction.given)

    def withdraw_consent(self, wallet: Wallet) -> tuple[ScoreResult, ConsentEvent | None]:
        """No more scores from now on; the scores given stay in the history."""
        if self.consent_in_force(wallet.id) is None:
            return ScoreResult.not_consented, None
        return ScoreResult.ok, self._record(wallet, ConsentAction.withdrawn)

    def _record(self, wallet: Wallet, action: ConsentAction) -> ConsentEvent:
        event = ConsentEvent(
            f"ccn_{self._ids.new_id():032x}",
            wallet.id,
            action,
            self._clock.now_ns(),
            self.model.version,
        )
        self._store.add_consent(event)
        return event

    # Scores ---------------------------------------------------------------------------------

    def score_wallet(self, wallet: Wallet) -> tuple[ScoreResult, ScoreRecord | None]:
        """A person's score now, with reasons and limit, recorded; only with consent."""
        consent = self.consent_in_force(wallet.id)
        if consent is None:
            return ScoreResult.consent_required, None
        record = None if self.repayments is None else self.repayments(wallet)
        decided = decide_person(self.model, self._ledger, wallet, self._clock.now_ns(), record)
        return ScoreResult.ok, self._keep(decided, consent.id, "wallet")

    def score_merchant(self, merchant: Merchant) -> ScoreRecord:
        """A merchant's score now, as the operator asks for it, recorded."""
        record = None if self.merchant_repayments is None else self.merchant_repayments(merchant)
        decided = decide_merchant(
            self.model,
            self._ledger,
            merchant,
            self._clock.now_ns(),
            record,
            self.merchant_complaints,
        )
        return self._keep(decided, None, "operator")

    def history(self, subject: Subject, subject_id: str) -> list[ScoreRecord]:
        """The subject's scores, newest first (at most `history_scores_max`)."""
        return self._store.scores(subject, subject_id, history_scores_max)

    def _keep(self, decided: Decision, consent_id: str | None, asked_by: str) -> ScoreRecord:
        record = ScoreRecord(
            f"csc_{self._ids.new_id():032x}",
            decided.subject,
            decided.subject_id,
            decided.as_of_ns,
            decided.score.model_version,
            decided.score.value,
            decided.score.reasons,
            decided.limit.band,
            decided.limit.amount_minor,
            decided.limit.currency,
            consent_id,
            asked_by,
        )
        self._store.add_score(record)
        return record
