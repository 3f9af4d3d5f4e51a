"""Paying a merchant by QR from a wallet: the money, the payer's limits and the fee, at once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from colony.kernel.steps import Steps, advance
from colony.merchants.model import Merchant
from colony.merchants.service import MerchantService, OnboardResult, revenue_account_id
from colony.merchants.sql_store import open_merchant_store
from colony.payments.emv_qr import MerchantQr, generate
from colony.payments.service import PaymentService, PayOutcome, PayResult, discount_fee
from colony.wallets.model import DEFAULT_LIMITS, Tier, TierLimits
from colony.wallets.results import WalletResult
from colony.wallets.service import WalletService
from tests.wallets.test_wallets import ALICE, World


class Shop:
    def __init__(self, w: World, url: str) -> None:
        self.store = open_merchant_store(url)
        self.merchants = MerchantService(w.ledger, self.store, w.clock, w.ids)
        self.payments = PaymentService(w.ledger, w.service, w.store, self.merchants, w.ids)
        result, merchant = self.merchants.onboard(
            "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
        )
        assert result is OnboardResult.ok and merchant is not None
        self.merchant: Merchant = merchant

    def merchant_balance(self) -> int:
        (a,) = self.world.ledger.lookup_accounts([self.merchant.account_id])
        return a.credits_posted - a.debits_posted

    world: World


@pytest.fixture
def shop(store_url: str) -> Iterator[Shop]:
    w = World(store_url)
    assert w.service.open_wallet(ALICE, "Alice", "SGD")[0] is WalletResult.ok
    assert w.service.cash_in(ALICE, "SGD", 20_000).result is WalletResult.ok
    s = Shop(w, store_url)
    s.world = w
    yield s
    s.store.close()
    w.close()


@pytest.mark.parametrize(
    ("amount", "bps", "fee"),
    [(10_000, 150, 150), (1_000, 150, 15), (33, 150, 0), (34, 150, 1), (100, 0, 0), (1, 10_000, 1)],
)
def test_discount_fee_rounds_half_up(amount: int, bps: int, fee: int) -> None:
    assert discount_fee(amount, bps) == fee


def test_static_qr_payment_books_the_fee(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000)
    assert paid.result is PayResult.ok and paid.fee_minor == 15
    assert shop.world.balance(ALICE) == 20_001 - 1_000
    assert shop.merchant_balance() == 1_000 - 15
    (revenue,) = shop.world.ledger.lookup_accounts([revenue_account_id(shop.merchant.ledger)])
    assert revenue.credits_posted == 15
    again = shop.payments.pay_by_qr(
        ALICE, "SGD", code, amount_minor=1_000, payment_id=paid.payment_id
    )
    assert again.result is PayResult.ok and shop.world.balance(ALICE) == 19_001  # moved once


def test_dynamic_qr_fixes_the_amount(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant, amount_minor=1_250, reference="ORDER-9")
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000).result is (
        PayResult.amount_differs_from_code
    )
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code)
    assert paid.result is PayResult.ok and paid.amount_minor == 1_250
    assert shop.merchant_balance() == 1_250 - discount_fee(1_250, 150)


def test_refusals_move_nothing(shop: Shop) -> None:
    static = shop.payments.merchant_qr(shop.merchant)
    tampered = static[:-1] + ("0" if static[-1] != "0" else "1")
    other_scheme = generate(
        MerchantQr("SG.PAYNOW", shop.merchant.id, "5812", "702", "SG", "X", "Y")
    )
    unknown = generate(MerchantQr("org.colony", "mer_nobody", "5812", "702", "SG", "X", "Y"))
    in_euros = generate(MerchantQr("org.colony", shop.merchant.id, "5812", "978", "SG", "X", "Y"))
    cases = [
        (static, None, PayResult.amount_required),
        (static, 0, PayResult.amount_must_be_positive),
        (static, 10**9, PayResult.insufficient_funds),
        (tampered, 100, PayResult.qr_crc_invalid),
        ("garbage", 100, PayResult.qr_malformed),
        (other_scheme, 100, PayResult.qr_not_ours),
        (unknown, 100, PayResult.unknown_merchant),
        (in_euros, 100, PayResult.currencies_differ),
    ]
    for payload, amount, expected in cases:
        assert (
            shop.payments.pay_by_qr(ALICE, "SGD", payload, amount_minor=amount).result is expected
        )
    assert (
        shop.payments.pay_by_qr("+6500000000", "SGD", static, 100).result
        is PayResult.unknown_wallet
    )
    assert shop.world.balance(ALICE) == 20_001 and shop.merchant_balance() == 0


def test_the_payers_daily_cap_applies_to_merchant_payments(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    assert shop.world.service.cash_in(ALICE, "SGD", 100_000).result is WalletResult.ok
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=50_000).result is PayResult.ok
    refused = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1)
    assert refused.result is PayResult.daily_outflow_cap_exceeded


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("L", "D", "58", "SG", "C", "SGD", 100), OnboardResult.invalid_mcc),
        (("L", "D", "5812", "sg", "C", "SGD", 100), OnboardResult.invalid_country),
        (("L", "D", "5812", "SG", "C", "XYZ", 100), OnboardResult.unknown_currency),
        (("L", "D", "5812", "SG", "C", "SGD", 10_001), OnboardResult.invalid_discount),
        (("L", "D" * 26, "5812", "SG", "C", "SGD", 100), OnboardResult.invalid_name),
    ],
)
def test_onboarding_refusals(shop: Shop, args: tuple[object, ...], expected: OnboardResult) -> None:
    assert shop.merchants.onboard(*args) == (expected, None)  # type: ignore[arg-type]


def test_refunds_never_exceed_the_payment(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000)
    assert paid.result is PayResult.ok and paid.payment_id is not None
    first = shop.payments.refund(paid.payment_id, 400)
    assert first.result is PayResult.ok
    assert (
        shop.payments.refund(paid.payment_id, 400, refund_id=first.payment_id).result
        is PayResult.ok
    )
    assert shop.world.balance(ALICE) == 20_001 - 1_000 + 400  # the retry moved nothing
    assert shop.payments.refund(paid.payment_id, 601).result is PayResult.refund_exceeds_payment
    assert shop.payments.refund(paid.payment_id, 600).result is PayResult.ok
    assert shop.payments.refund(paid.payment_id, 1).result is PayResult.refund_exceeds_payment
    assert shop.world.balance(ALICE) == 20_001
    # The fee stays with the operator: the merchant is down by exactly the fee.
    assert shop.merchant_balance() == -15
    (refund,) = shop.world.ledger.lookup_transfers([first.payment_id])  # type: ignore[list-item]
    assert refund.user_data_128 == paid.payment_id  # it points at the payment


def test_refund_refusals(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000)
    assert paid.payment_id is not None
    assert shop.payments.refund(12345, 1).result is PayResult.unknown_payment
    assert shop.payments.refund(paid.payment_id, 0).result is PayResult.amount_must_be_positive
    refused = shop.payments.refund(paid.payment_id, 5_000)
    assert refused.result is PayResult.refund_exceeds_payment
    assert shop.payments.refund(paid.payment_id, 5_000, refund_id=refused.payment_id).result is (
        PayResult.refused_before
    )
    ok = shop.payments.refund(paid.payment_id, 10)
    assert shop.payments.refund(paid.payment_id, 11, refund_id=ok.payment_id).result is (
        PayResult.id_reused_differently
    )


def _held(shop: Shop) -> tuple[int, int]:
    wallet = shop.world.store.by_phone(ALICE, "SGD")
    assert wallet is not None
    (a,) = shop.world.ledger.lookup_accounts([wallet.account_id])
    return a.debits_pending, a.credits_posted - a.debits_posted


def test_authorise_then_capture_part(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    auth = shop.payments.authorise(ALICE, "SGD", code, amount_minor=3_000)
    assert auth.result is PayResult.ok and auth.payment_id is not None
    assert _held(shop) == (3_000, 20_001)  # held, not yet taken
    assert shop.merchant_balance() == 0
    captured = shop.payments.capture(auth.payment_id, 1_800)  # the ride cost less
    assert captured.result is PayResult.ok and captured.fee_minor == 27
    assert _held(shop) == (0, 20_001 - 1_800)  # the other 1,200 went back at once
    assert shop.merchant_balance() == 1_800 - 27
    assert shop.payments.capture(auth.payment_id, 1_800).result is PayResult.ok  # a retry
    assert shop.payments.capture(auth.payment_id, 1_000).result is PayResult.id_reused_differently
    assert shop.payments.void(auth.payment_id).result is PayResult.already_captured
    # Refunds are bounded by what was captured, not what was authorised.
    assert shop.payments.refund(auth.payment_id, 1_801).result is PayResult.refund_exceeds_payment
    assert shop.payments.refund(auth.payment_id, 1_800).result is PayResult.ok
    # The day's allowance was used by the captured amount only.
    assert shop.world.service.cash_in(ALICE, "SGD", 100_000).result.name == "ok"
    left = 50_000 - 1_800
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=left).result is PayResult.ok
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1).result is (
        PayResult.daily_outflow_cap_exceeded
    )


def test_void_releases_the_hold_and_the_limits(shop: Shop) -> None:
    assert shop.world.service.cash_in(ALICE, "SGD", 100_000).result.name == "ok"
    code = shop.payments.merchant_qr(shop.merchant)
    auth = shop.payments.authorise(ALICE, "SGD", code, amount_minor=50_000)  # the whole day's cap
    assert auth.result is PayResult.ok and auth.payment_id is not None
    blocked = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1)
    assert blocked.result is PayResult.daily_outflow_cap_exceeded  # holds count against it
    assert shop.payments.void(auth.payment_id).result is PayResult.ok
    assert _held(shop)[0] == 0
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1).result is PayResult.ok
    assert shop.payments.capture(auth.payment_id).result is PayResult.already_voided


def test_an_unclaimed_authorisation_expires(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    auth = shop.payments.authorise(ALICE, "SGD", code, amount_minor=3_000, hold_s=60)
    assert auth.payment_id is not None
    shop.world.clock.advance(61)
    assert shop.world.ledger.pulse() == 3  # the payment and its two limit legs
    assert _held(shop) == (0, 20_001)
    assert shop.payments.capture(auth.payment_id).result is PayResult.authorisation_expired


def test_capture_refusals(shop: Shop) -> None:
    code = shop.payments.merchant_qr(shop.merchant)
    auth = shop.payments.authorise(ALICE, "SGD", code, amount_minor=3_000)
    paid = shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=100)
    assert auth.payment_id is not None and paid.payment_id is not None
    assert (
        shop.payments.capture(auth.payment_id, 3_001).result
        is PayResult.capture_exceeds_authorisation
    )
    assert shop.payments.capture(auth.payment_id, 0).result is PayResult.amount_must_be_positive
    assert shop.payments.capture(paid.payment_id).result is PayResult.not_an_authorisation
    assert shop.payments.capture(999).result is PayResult.unknown_payment
    refused = shop.payments.authorise(ALICE, "SGD", code, amount_minor=10**9)
    assert refused.result is PayResult.insufficient_funds


def test_pay_with_the_payment_code_at_the_till(shop: Shop) -> None:
    from colony.payments.payment_code import PaymentCodeVerifier, code_for, new_device
    from colony.payments.service import no_pin_limit_minor

    wallet = shop.world.store.by_phone(ALICE, "SGD")
    assert wallet is not None
    device = new_device(42, wallet.id, token_bytes=lambda n: b"\x07" * n)
    verifier = PaymentCodeVerifier()
    verifier.bind(device)
    now = shop.world.clock.now_ns()
    code = code_for(device, now)  # shown by the phone, offline
    paid = shop.payments.pay_by_code(shop.merchant.id, code, 1_000, verifier, now)
    assert paid.result is PayResult.ok and paid.amount_minor == 1_000
    assert shop.world.balance(ALICE) == 20_001 - 1_000
    replay = shop.payments.pay_by_code(shop.merchant.id, code, 1_000, verifier, now)
    assert replay.result is PayResult.code_already_used
    later = now + 120 * 1_000_000_000
    assert shop.payments.pay_by_code(shop.merchant.id, code, 5, verifier, later).result is (
        PayResult.code_expired
    )
    fresh = code_for(device, later)
    over = shop.payments.pay_by_code(
        shop.merchant.id, fresh, no_pin_limit_minor(shop.merchant.currency) + 1, verifier, later
    )
    assert over.result is PayResult.pin_required
    # The PIN refusal did not spend the code: it still pays within the limit.
    assert (
        shop.payments.pay_by_code(shop.merchant.id, fresh, 500, verifier, later).result
        is PayResult.ok
    )
    unknown = code_for(new_device(43, wallet.id), later)
    assert shop.payments.pay_by_code(shop.merchant.id, unknown, 5, verifier, later).result is (
        PayResult.code_wrong  # as a wrong code: which devices exist stays unknown
    )
    assert (
        shop.payments.pay_by_code("mer_x", fresh, 5, verifier, later).result
        is PayResult.unknown_merchant
    )
    assert shop.world.balance(ALICE) == 20_001 - 1_500


def _run_counting_threads(steps: Steps[PayOutcome]) -> tuple[PayOutcome, int]:
    """Run a payment's steps as the event loop would, counting the times they ask for a
    thread of the pool (`ON_THREAD`)."""
    value: object = None
    threads = 0
    while True:
        finished, step = advance(steps, value, None)
        if finished:
            return step, threads
        if isinstance(step, Future):
            value = step.result(timeout=30)
        else:
            threads, value = threads + 1, None


def test_a_wallets_first_payment_of_the_day_waits_on_no_thread(shop: Shop) -> None:
    """The day's outflow account and its allowance are queued on the ledger right ahead of
    the payment's chain: the first payment of each day is as quick as the rest, and the
    daily cap holds from its first payment."""
    code = shop.payments.merchant_qr(shop.merchant)
    assert shop.world.service.cash_in(ALICE, "SGD", 100_000).result is WalletResult.ok
    first, threads = _run_counting_threads(
        shop.payments.pay_by_qr_steps(ALICE, "SGD", code, amount_minor=1_000)
    )
    assert (first.result, threads) == (PayResult.ok, 0)
    assert shop.world.balance(ALICE) == 120_001 - 1_000
    shop.world.clock.advance(86_400)  # the next UTC day: a new outflow account
    over_cap, threads = _run_counting_threads(
        shop.payments.pay_by_qr_steps(ALICE, "SGD", code, amount_minor=50_001)
    )
    assert (over_cap.result, threads) == (PayResult.daily_outflow_cap_exceeded, 0)
    assert shop.world.balance(ALICE) == 119_001  # nothing moved
    at_cap, threads = _run_counting_threads(
        shop.payments.pay_by_qr_steps(ALICE, "SGD", code, amount_minor=50_000)
    )
    assert (at_cap.result, threads) == (PayResult.ok, 0)
    assert shop.world.balance(ALICE) == 69_001


def test_a_payment_the_ledger_applied_is_paid_though_a_days_grant_was_refused(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    """Tier caps changed in the middle of a day (another process started with other
    limits): its grant for the day is refused as made with another amount, but the payment
    chained behind it was applied with the allowance already there, so its money moved and
    it is answered as paid (the refusal logged), never as an error a client would retry."""
    code = shop.payments.merchant_qr(shop.merchant)
    assert shop.payments.pay_by_qr(ALICE, "SGD", code, amount_minor=1_000).result is PayResult.ok
    w = shop.world
    other_caps = {
        **DEFAULT_LIMITS,
        Tier.phone_only: TierLimits(balance_cap_minor=200_000, daily_outflow_cap_minor=60_000),
    }
    restarted = WalletService(w.ledger, w.store, w.clock, w.ids, limits=other_caps)
    payments = PaymentService(w.ledger, restarted, w.store, shop.merchants, w.ids)
    with caplog.at_level(logging.ERROR):
        paid, _ = _run_counting_threads(payments.pay_by_qr_steps(ALICE, "SGD", code, 1_000))
    assert paid.result is PayResult.ok
    assert shop.world.balance(ALICE) == 20_001 - 2_000
    assert "the payment stands" in caplog.text
