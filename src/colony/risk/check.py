"""The risk check a payment asks before the ledger sees it: read the features, assess,
count the event. When the features cannot be read (the counters raised), the fallback
rule set decides on the event alone (docs/adr/0055): never a crash in the payment path.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future

from colony.kernel import lock_order
from colony.kernel.steps import DONE, Steps, wait
from colony.risk.assess import MODEL_REASONS, assess
from colony.risk.features import Counters, FeatureStore
from colony.risk.fraud_model import FraudModel
from colony.risk.model import Assessment, Decision, Features, RiskEvent
from colony.risk.rules import DEFAULT_RULES, FALLBACK_RULES, Rule, RuleSet
from colony.risk.store import AssessmentStore, RuleChange

_log = logging.getLogger(__name__)
# Payments whose assessment is remembered, so a retry of the same payment (its id derived
# from the Idempotency-Key) gets the same decision and is not counted twice.
assessed_payments_kept_max = 65_536
# Complaints whose counting is remembered, so one told twice counts once.
complaints_seen_max = 65_536
# How often a check looks for rule changes another worker made, in seconds: an analyst's
# change is in force everywhere within this (docs/adr/0067).
rules_look_every_s = 2.0
# What makes two events under one payment id the same payment: all but the moment.
Asked = tuple[str, str, str, int, str, str | None]


def asked(event: RiskEvent) -> Asked:
    """The event as the payer asked for it: who pays whom how much from which device."""
    return (
        event.channel.value, event.wallet_id, event.payee, event.amount_minor, event.currency,
        event.device,
    )  # fmt: skip


def _in_force(base: RuleSet, store: AssessmentStore) -> RuleSet:
    """`base` with every change the store kept laid over it, in order."""
    rules = base
    for change in store.rule_changes():
        rules = RuleSet(change.version, rules.with_rule(change.rule).rules)
    return rules


# How long a check waits on a thread for the counters' answer or an assessment's commit, in
# seconds: as long as a worker waits for the ledger writer's answer. Past it, the counters
# count as broken (the fallback rules decide).
wait_timeout_s = 65.0


class RiskCheck:
    def __init__(
        self,
        features: Counters | None = None,
        rules: RuleSet = DEFAULT_RULES,
        store: AssessmentStore | None = None,
        model: FraudModel | None = None,
        *,
        base: RuleSet = DEFAULT_RULES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.features: Counters = features if features is not None else FeatureStore()
        self._rules = rules
        # The rules the store's changes are laid over, and when to look for new ones.
        self._base = base
        self._monotonic = monotonic
        self._rules_look_at = monotonic() + rules_look_every_s
        # The trained model (docs/adr/0059): its score feeds the rules that read it; none,
        # those rules never fire.
        self.model = model
        self.store = store
        self._lock = lock_order.lock("risk check")
        # Each payment's assessment, with what it assessed: another request under the same
        # id (another amount, another payee) is not that payment, and is scored afresh.
        self._assessed: OrderedDict[int, tuple[Asked, Assessment]] = OrderedDict()
        # Payments assessed whose money has not yet moved: counted as a success once it has.
        self._unsettled: OrderedDict[int, RiskEvent] = OrderedDict()
        self.fallbacks = 0  # how many checks the fallback rules decided
        self._complaints_seen: OrderedDict[str, None] = OrderedDict()
        self._model_read: tuple[RuleSet | None, bool] = (None, False)

    @classmethod
    def with_store(
        cls,
        store: AssessmentStore,
        base: RuleSet = DEFAULT_RULES,
        model: FraudModel | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        features: Counters | None = None,
    ) -> RiskCheck:
        """The check with the rules in force: `base` with every change kept over it, and
        the decisions kept for the newest payments, so a payment retried after a restart
        keeps its decision (a held one is not paid again as an allow). Every
        `rules_look_every_s` it looks for changes made since (by another worker)."""
        rules = _in_force(base, store)
        check = cls(features, rules, store, model, base=base, monotonic=monotonic)
        for kept in reversed(store.newest(assessed_payments_kept_max)):
            check._assessed[kept.payment_id] = (asked(kept.event), kept.assessment)
        return check

    def look_for_rule_changes(self, *, now: bool = False) -> None:
        """Take up the changes another worker kept, when it is time to look (or `now`).
        A store that cannot be read leaves the rules as they are: logged, never raised into
        a payment's path."""
        store = self.store
        if store is None or (not now and self._monotonic() < self._rules_look_at):
            return
        self._rules_look_at = self._monotonic() + rules_look_every_s
        try:
            if store.newest_rule_version() <= self._rules.version:
                return
            rules = _in_force(self._base, store)
        except Exception:
            _log.exception("risk rule changes unreadable; the rules in force stay")
            return
        with self._lock:
            if rules.version > self._rules.version:
                self._rules = rules

    def change_rule(self, rule: Rule, by: str, note: str, at_ns: int) -> bool:
        """A rule changed by an analyst: kept (the next version, after any another worker
        kept) and in force from the next check. False if another change took that version
        first (read the rules again)."""
        self.look_for_rule_changes(now=True)
        with self._lock:
            rules = self._rules.with_rule(rule)
            if self.store is not None and not self.store.add_rule_change(
                RuleChange(rules.version, rule, by, note, at_ns)
            ):
                return False
            self._rules = rules
            return True

    @property
    def rules(self) -> RuleSet:
        return self._rules

    def use_rules(self, rules: RuleSet) -> None:
        """Rules edited in the console take effect from the next check."""
        with self._lock:
            self._rules = rules

    def check(self, event: RiskEvent) -> Assessment:
        """`check_steps`, waited for on this thread."""
        return wait(self.check_steps(event), wait_timeout_s)

    def check_steps(self, event: RiskEvent) -> Steps[Assessment]:
        """The assessment of `event`. The counters read it, then count it as an attempt, in
        one call (one round trip to the writer when workers share them, docs/adr/0068),
        whose answer is a future: an event loop awaits it instead of blocking while the
        writer's process answers (docs/adr/0070)."""
        self.look_for_rule_changes()
        try:
            features = yield self.features.read_and_observe_later(event)
        except Exception:
            # Broken or silent counters are infrastructure failing: logged, counted, and
            # the payment is decided by the conservative rules instead.
            _log.exception("risk features unavailable; the fallback rules decide")
            self.fallbacks += 1
            return assess(event, None, FALLBACK_RULES)
        return self._decided(event, features)

    def _reads_model(self, rules: RuleSet) -> bool:
        """Whether any of the rules reads the model's score, asked once per rule set."""
        asked, reads = self._model_read
        if asked is not rules:
            reads = any(r.reason in MODEL_REASONS for r in rules.rules)
            self._model_read = (rules, reads)
        return reads

    def _decided(self, event: RiskEvent, features: Features) -> Assessment:
        rules = self._rules
        if self.model is not None and self._reads_model(rules):
            # The counters made these features for this check alone (a fresh object, or
            # one unpickled from the writer's answer): the score is written into them
            # rather than copied with `dataclasses.replace`, a tenth of a check's time.
            object.__setattr__(features, "model_score_pm", self.model.score_pm(event, features))
        return assess(event, features, rules)

    def refunded(self, wallet_id: str, merchant_id: str, at_ns: int) -> None:
        """A refund given: merchant risk counts it. Never raises into the refund's path."""
        try:
            self.features.observe_refund(wallet_id, merchant_id, at_ns)
        except Exception:
            _log.exception("risk features not updated for a refund")

    def complained(self, complaint_id: str, merchant_id: str) -> None:
        """A complaint filed about a merchant: merchant risk counts it, once however often
        it is told (docs/adr/0062). Never raises into the complaint's path."""
        with self._lock:
            if complaint_id in self._complaints_seen:
                return
            self._complaints_seen[complaint_id] = None
            if len(self._complaints_seen) > complaints_seen_max:
                self._complaints_seen.popitem(last=False)
        try:
            self.features.observe_complaint(merchant_id)
        except Exception:
            _log.exception("risk features not updated for a complaint")

    def payment(self, payment_id: int, event: RiskEvent) -> Assessment:
        """The assessment of a payment: the one made before for the same id and the same
        request, else a new one. A request changed under the same id (another amount) is
        scored afresh, so the PIN answering one challenge never carries it to another
        payment (docs/adr/0062)."""
        return wait(self.payment_steps(payment_id, event), wait_timeout_s)

    def payment_steps(self, payment_id: int, event: RiskEvent) -> Steps[Assessment]:
        """`payment` as steps (`check_steps`)."""
        with self._lock:
            earlier = self._assessed.get(payment_id)
        if earlier is not None and earlier[0] == asked(event):
            return earlier[1]
        assessment = yield from self.check_steps(event)
        with self._lock:
            self._assessed[payment_id] = (asked(event), assessment)
            self._assessed.move_to_end(payment_id)
            if len(self._assessed) > assessed_payments_kept_max:
                self._assessed.popitem(last=False)
            self._unsettled[payment_id] = event
            if len(self._unsettled) > assessed_payments_kept_max:
                self._unsettled.popitem(last=False)
        return assessment

    def succeeded(self, payment_id: int) -> None:
        """The ledger took the payment (paid, or held): its amount, payee and device count
        as a success (docs/adr/0060), once however often it is retried."""
        with self._lock:
            event = self._unsettled.pop(payment_id, None)
        if event is None:
            return
        try:
            self.features.observe_success(event)
        except Exception:
            _log.exception("risk features not updated")

    @staticmethod
    def worth_keeping(assessment: Assessment) -> bool:
        """Whether the assessment is kept beside its payment: all but a plain allow."""
        return bool(assessment.reasons or assessment.shadow_reasons or assessment.fallback)

    def keeps(self, assessment: Assessment) -> bool:
        """Whether `keep` writes the assessment: a store, and an assessment worth keeping."""
        return self.store is not None and self.worth_keeping(assessment)

    def keep(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        """`keep_later`, waited for on this thread (a database write)."""
        self.keep_later(payment_id, event, assessment).result(timeout=wait_timeout_s)

    def keep_later(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> Future[None]:
        """Keep the assessment beside the payment: a future done once it is durable, at once
        when it is not kept or is written behind. An event loop awaits it; nothing blocks
        a thread."""
        if not self.keeps(assessment):
            return DONE
        assert self.store is not None
        if assessment.decision is Decision.allow and not assessment.fallback:
            # It changed nothing: the payment does not wait for it (docs/adr/0070).
            self.store.keep_behind(payment_id, event, assessment)
            return DONE
        return self.store.keep_later(payment_id, event, assessment)
