"""A worked example: Alice, a user of the partner wallet GPay, pays a merchant of another
partner, AcqSG, with her pay-later line, as Bob (GPay too) pays the same merchant from his
balance. Both settle between the partners the same way: GPay owes AcqSG what its users
paid (docs/adr/0058). The lender's money paid the merchant; Alice owes the line.

She repays most of it from her wallet; then the merchant refunds more than the line is
still owed. The refund repays the line's principal to zero, never into credit, and the rest
reaches her wallet; the clearing leg goes back for the whole refund. The night's run agrees
with the ledger, and the day ends in a trial balance that sums to zero.

    Alice (GPay) pays AcqSG's shop SGD 100.00 with the line (discount 1.50%):
        Dr line principal 100.00        Cr shop 100.00               (200)
        Dr line available 100.00        Cr credit control 100.00     (401)
        Dr GPay clearing 100.00         Cr AcqSG clearing 100.00     (210)
        Dr shop 1.50                    Cr fee revenue 1.50          (201)
    Bob (GPay) pays the shop SGD 40.00 from his balance: the same clearing leg, 40.00.
    Alice repays SGD 70.00 of the line from her wallet:
        Dr Alice 70.00                  Cr line principal 70.00      (413)
    The shop refunds Alice SGD 50.00 (the line is owed 30.00):
        Dr shop 50.00                   Cr line principal 50.00      (203)
        Dr line principal 20.00         Cr Alice 20.00               (203, beyond the owed)
        Dr credit control 30.00         Cr line available 30.00      (401)
        Dr AcqSG clearing 50.00         Cr GPay clearing 50.00       (210)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.api.context import ApiContext
from colony.credit.line_accounts import available_id, interest_id
from colony.disputes import ComplaintResult, DisputeService, DisputeStatus
from colony.ledger.verify import verify
from colony.merchants import Merchant, revenue_account_id
from colony.partners.clearing import clearing_account_id
from colony.partners.model import MemberKind, Partner
from colony.payments import PayResult
from colony.settlement.service import SettlementService
from colony.settlement.windows import window_of
from colony.wallets import WalletResult
from tests.credit.line_world import BOB, LineWorld, world_on_file

D = dt.date
OPENED = D(2026, 3, 2)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[LineWorld]:
    with world_on_file(tmp_path, OPENED, due_day=10) as made:
        yield made


def balance(ctx: ApiContext, account_id: int) -> int:
    """Credits less debits posted (what the account holds for its owner, or is owed)."""
    (a,) = ctx.ledger.lookup_accounts([account_id])
    return a.credits_posted - a.debits_posted


def _across_partners(w: LineWorld) -> tuple[Partner, Partner, Merchant]:
    """Alice and Bob use GPay; the shop is AcqSG's, and is the world's merchant from now;
    the world's clock at 3 March."""
    ctx = w.ctx
    assert ctx.partners is not None
    _, gpay = ctx.partners.create("GCash-like Inc", "GPay", "SG", "SGD")
    _, acq = ctx.partners.create("Acquirer SG Pte Ltd", "AcqSG", "SG", "SGD")
    assert gpay is not None and acq is not None
    bob = ctx.wallet_store.by_phone(BOB, "SGD")
    assert bob is not None
    assert ctx.wallets.cash_in(BOB, "SGD", 500_00).result is WalletResult.ok
    _, shop = ctx.merchants.onboard(
        "Orchard Gifts Pte Ltd", "Orchard Gifts", "5947", "SG", "Singapore", "SGD", 150
    )
    assert shop is not None
    for kind, member, partner in (
        (MemberKind.wallet, w.wallet.id, gpay.id),
        (MemberKind.wallet, bob.id, gpay.id),
        (MemberKind.merchant, shop.id, acq.id),
    ):
        ctx.partners.enrol(kind, member, partner)
    w.merchant = shop
    w.at(D(2026, 3, 3))
    return gpay, acq, shop


def test_a_line_purchase_abroad_clears_like_a_wallet_payment(world: LineWorld) -> None:
    w, ctx = world, world.ctx
    gpay, acq, shop = _across_partners(w)
    line = w.line.principal_account_id
    alice_before = balance(ctx, w.wallet.account_id)
    available_before = balance(ctx, available_id(line))
    revenue_before = balance(ctx, revenue_account_id(w.line.ledger))

    assert w.buy(100_00) is PayResult.ok
    code = ctx.payments.merchant_qr(shop)
    by_bob = ctx.payments.pay_by_qr(BOB, "SGD", code, 40_00, 1 << 126 | 0xB0B)
    assert by_bob.result is PayResult.ok
    gpay_net = balance(ctx, clearing_account_id(gpay.id, w.line.ledger))
    acq_net = balance(ctx, clearing_account_id(acq.id, w.line.ledger))
    assert (gpay_net, acq_net) == (-140_00, 140_00)  # the line's 100.00 cleared with Bob's
    assert balance(ctx, w.wallet.account_id) == alice_before  # the lender paid, not Alice

    window = window_of(w.clock.now_ns())
    report = SettlementService(ctx.ledger, ctx.partners.store, w.clock).report(window)
    lines = {x.partner_id: x for x in report.lines}
    issued = lines[gpay.id]
    assert (issued.payments_issued, issued.gross_issued_minor) == (2, 140_00)
    assert issued.interchange_minor == 30 + 12  # 20% of each fee (1.50 and 0.60), down
    acquired = lines[acq.id]
    assert (acquired.payments_acquired, acquired.gross_acquired_minor) == (2, 140_00)
    assert acquired.fees_minor == 1_50 + 60

    assert w.repay(70_00).name == "ok"
    assert w.owed() == 30_00
    w.refund(0, 50_00)  # 30.00 repays the line, 20.00 reaches Alice's wallet

    principal_owed = -balance(ctx, line)
    assert principal_owed == 0  # never below zero: the line holds no credit
    assert w.owed() == 0 and -balance(ctx, interest_id(line)) == 0
    assert balance(ctx, w.wallet.account_id) == alice_before - 70_00 + 20_00
    assert balance(ctx, available_id(line)) == available_before  # all the limit is back
    assert balance(ctx, clearing_account_id(gpay.id, w.line.ledger)) == -90_00
    assert balance(ctx, clearing_account_id(acq.id, w.line.ledger)) == 90_00
    assert balance(ctx, shop.account_id) == 140_00 - 1_50 - 60 - 50_00
    assert balance(ctx, revenue_account_id(w.line.ledger)) == revenue_before + 2_10
    report = SettlementService(ctx.ledger, ctx.partners.store, w.clock).report(window)
    issued = {x.partner_id: x for x in report.lines}[gpay.id]
    assert issued.refunds_issued_minor == 50_00

    # The night replays the refund as what reached the line: the model owes nothing either.
    w.night(D(2026, 3, 4))
    stored = w.stored().model
    assert stored.unbilled_minor == 0 and stored.owed_on_bill_minor == 0

    # Trial balance: every currency's debits equal its credits, and the ledger verifies.
    for totals in ctx.ledger.totals():
        assert totals.debits_posted == totals.credits_posted
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_a_lost_dispute_of_a_line_purchase_goes_back_to_the_line_as_a_refund_does(
    world: LineWorld,
) -> None:
    """A chargeback gives the money back the way it was paid, as a refund does: what the line
    is owed repays it (its limit back), the rest reaches the wallet, and the partners'
    clearing is booked back. (It once credited the line's principal as if it were a wallet,
    with a wallet's limit leg, and left the clearing as it was.)

        Alice pays SGD 100.00 with the line, repays 70.00; a dispute of the purchase is lost:
        Dr shop 100.00                  Cr line principal 100.00     (chargeback)
        Dr line principal 70.00         Cr Alice 70.00               (203, beyond the owed)
        Dr credit control 30.00         Cr line available 30.00      (401)
        Dr AcqSG clearing 100.00        Cr GPay clearing 100.00      (210)
    """
    w, ctx = world, world.ctx
    gpay, acq, shop = _across_partners(w)
    line = w.line.principal_account_id
    alice_before = balance(ctx, w.wallet.account_id)
    available_before = balance(ctx, available_id(line))
    assert w.buy(100_00) is PayResult.ok
    assert w.repay(70_00).name == "ok"
    disputes = ctx.service(DisputeService)
    result, d = disputes.open(w.paid[0], "Never delivered", "stf_1")
    assert result is ComplaintResult.ok and d is not None
    result, d = disputes.submit_evidence(d, "mus_1", "A courier's note")
    assert result is ComplaintResult.ok
    result, d = disputes.decide(d, False, "stf_1", "the note names another street")
    assert result is ComplaintResult.ok and d.status is DisputeStatus.lost

    assert balance(ctx, line) == 0 and w.owed() == 0  # repaid, never into credit
    assert balance(ctx, available_id(line)) == available_before  # all the limit is back
    assert balance(ctx, w.wallet.account_id) == alice_before  # her 70.00 came back
    assert balance(ctx, clearing_account_id(gpay.id, w.line.ledger)) == 0
    assert balance(ctx, clearing_account_id(acq.id, w.line.ledger)) == 0
    assert balance(ctx, shop.account_id) == 100_00 - 1_50 - 100_00  # below zero: recovered later
    # Nothing more to give back: the payment's refundable allowance is used up.
    assert ctx.payments.refund(w.paid[0], 1, w.key()).result is PayResult.refund_exceeds_payment
    for totals in ctx.ledger.totals():
        assert totals.debits_posted == totals.credits_posted
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_a_refund_to_a_line_repaid_in_full_goes_to_the_wallet(world: LineWorld) -> None:
    """Within one partner too: once the purchase is repaid, all of its refund is the wallet's,
    and the line is owed nothing and holds no credit."""
    w, ctx = world, world.ctx
    w.at(D(2026, 3, 3))
    assert w.buy(60_00) is PayResult.ok
    assert w.repay(60_00).name == "ok"
    before = balance(ctx, w.wallet.account_id)
    w.refund(0, 60_00)
    assert balance(ctx, w.wallet.account_id) == before + 60_00
    assert balance(ctx, w.line.principal_account_id) == 0
    assert ctx.payments.refunded_minor(w.paid[0]) == 60_00
    # Nothing more to refund: the payment's refundable allowance still holds.
    again = ctx.payments.refund(w.paid[0], 1, w.key())
    assert again.result is PayResult.refund_exceeds_payment


def test_a_refund_beyond_the_line_that_the_wallet_cannot_hold_moves_nothing(
    world: LineWorld,
) -> None:
    """What goes on into the wallet keeps to its balance cap: refused whole, nothing moves."""
    w, ctx = world, world.ctx
    w.at(D(2026, 3, 3))
    assert w.buy(60_00) is PayResult.ok
    assert w.repay(50_00).name == "ok"  # 10.00 still owed
    limits, _ = ctx.wallets.limits_today(w.wallet)
    w.cash_in(limits.balance_cap_minor - ctx.wallets.balance(w.wallet))  # full to the cap
    full = balance(ctx, w.wallet.account_id)
    refused = ctx.payments.refund(w.paid[0], 20_00, w.key())
    assert refused.result is PayResult.balance_cap_exceeded
    assert balance(ctx, w.wallet.account_id) == full
    assert -balance(ctx, w.line.principal_account_id) == 10_00
    assert ctx.payments.refunded_minor(w.paid[0]) == 0
    # Within what is owed, nothing reaches the wallet: the refund goes through.
    w.refund(0, 10_00)
    assert balance(ctx, w.line.principal_account_id) == 0
