"""What risk control reads and answers: an event to score, the features kept about it, and
the assessment (a decision with its reason codes and a score).

Decisions and reasons are enumerated and their numbers never reused: an assessment is
stored beside its payment by number, and an analyst reads the reasons by name.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass


class Decision(enum.IntEnum):
    """What happens to the money; a higher number wins when rules disagree."""

    allow = 0
    challenge = 1  # step-up: the payer confirms with the PIN
    review = 2  # held as a two-phase authorisation until an analyst decides or it expires
    block = 3  # refused before the ledger sees it


class Reason(enum.IntEnum):
    """Why a rule fired; stored with the assessment and shown to the analyst."""

    velocity_1m = 1  # too many payments by the wallet in one minute
    velocity_1h = 2
    velocity_24h = 3
    spend_24h = 4  # the wallet's total spent in 24 h is above the threshold
    amount_unusual = 5  # far above the wallet's own history (mean and deviation)
    new_payee = 6  # the wallet never paid this payee, and the amount is large
    new_device = 7  # the device never paid for this wallet before
    device_velocity_1h = 8  # one device paying too often (many wallets on one phone)
    impossible_travel = 9  # from the last payment's place to this one faster than a plane
    merchant_velocity_1m = 10  # a merchant taking payments faster than usual
    amount_large = 11  # above a flat amount whatever the history
    features_unavailable = 12  # the fallback rule set: no features could be read
    model_score_high = 13  # the trained model's score at or above the threshold (review)
    model_score_very_high = 14  # ... at or above a higher threshold (block)
    merchant_refunds_high = 15  # the payee refunds more of its payments than merchants do
    far_from_home = 16  # the place is far from where the wallet usually pays
    night_hour = 17  # paid in the small hours of the payer's local time (else UTC)
    merchant_complaints_high = 18  # people complain of the payee more than of merchants


class Channel(enum.StrEnum):
    """Where the money leaves a wallet."""

    qr = "qr"
    p2p = "p2p"
    withdrawal = "withdrawal"
    payment_code = "payment_code"


@dataclass(frozen=True)
class Place:
    """A point on Earth, in millionths of a degree (integers: equal places compare equal)."""

    lat_micro: int
    lon_micro: int


@dataclass(frozen=True)
class RiskEvent:
    """Money about to leave a wallet. `payee` is the merchant's id or the receiving
    wallet's; `place` is the merchant's when its city is known (its centre: a QR payment
    happens at the shop, docs/adr/0063)."""

    channel: Channel
    wallet_id: str
    payee: str
    amount_minor: int
    currency: str
    at_ns: int
    device: str | None = None
    place: Place | None = None
    # The payer's offset from UTC in minutes when their time zone is known: the shop's zone
    # for a payment (the payer is there, docs/adr/0063), the home's in the simulator; None:
    # the hour of day is read in UTC (docs/adr/0059).
    utc_offset_min: int | None = None


@dataclass(frozen=True)
class Features:
    """What the streaming counters knew about the event's parties just before it."""

    wallet_count_1m: int = 0
    wallet_count_1h: int = 0
    wallet_count_24h: int = 0
    wallet_sum_24h_minor: int = 0
    device_count_1h: int = 0
    merchant_count_1m: int = 0
    # The wallet's own amounts so far: count, sum and sum of squares (a running mean and
    # variance kept in integers, so two readings of the same history agree exactly).
    history_count: int = 0
    history_sum_minor: int = 0
    history_sum_sq: int = 0
    payee_seen: bool = False
    device_seen: bool = True  # no device named: nothing new about it
    travel_kmh: int | None = None  # speed needed from the last place, when both are known
    # Merchant risk (docs/adr/0059): the payee's payments and the refunds it gave so far.
    merchant_payments: int = 0
    merchant_refunds: int = 0
    # ... and the complaints people filed about it (docs/adr/0062).
    merchant_complaints: int = 0
    wallet_refunds: int = 0  # refunds the wallet received so far
    received_24h_minor: int = 0  # P2P money into the wallet in the last 24 h
    wallet_age_s: int = 0  # since the wallet's first event the counters saw
    hour_local: int = 0  # 0-23, the payer's local hour (UTC when their zone is unknown)
    home_km: int | None = None  # from the wallet's usual place, when both are known
    model_score_pm: int | None = None  # the trained model's score, per mille, when in use

    def merchant_refund_pm(self) -> int:
        """Refunds per thousand of the payee's payments, with a prior of 20 per mille over
        50 payments, so a merchant's first refund does not make it look like an abuser."""
        return (self.merchant_refunds * 1_000 + 20 * 50) // (self.merchant_payments + 50)

    def merchant_complaint_pm(self) -> int:
        """Complaints per thousand of the payee's payments, with a prior of 5 per mille
        over 50 payments (complaints are rarer than refunds): a shop's first complaint, or
        one counted before its payments were (the counters start empty), is no alarm."""
        return (self.merchant_complaints * 1_000 + 5 * 50) // (self.merchant_payments + 50)


@dataclass(frozen=True)
class Assessment:
    """The decision, the active rules that fired (sorted), the shadow rules that would
    have, the score (0-100) and the version of the rules that made it."""

    decision: Decision
    reasons: tuple[Reason, ...]
    shadow_reasons: tuple[Reason, ...]
    score: int
    rules_version: int
    fallback: bool = False

    def unheld(self) -> Assessment:
        """This assessment where the payment cannot be held (a credit-line purchase, a P2P
        transfer, a withdrawal): a review is a block there, and is kept as one, so no review
        waits in the queue for money that was never held (docs/adr/0060)."""
        if self.decision is not Decision.review:
            return self
        return dataclasses.replace(self, decision=Decision.block)
