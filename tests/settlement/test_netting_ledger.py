"""Netting conserves money across currencies, checked against the ledger itself.

A market of three partners: GCash-like (PH, PHP), Acquirer SG (SG, SGD) and the house, each
with an identity-verified, funded wallet and a merchant in each of PHP, SGD and THB. Any
wallet pays any merchant: in one currency the payment is domestic; across two it is made with
an FX quote (docs/adr/0019); within one partner it books no clearing leg, across two it does.
Merchants refund parts of earlier payments. All of it happens in one settlement window, and
then:

1. the report's nets sum to zero in every currency;
2. every (partner, currency) net of the report is the partner's clearing account net in the
   ledger, corrected by the fee terms (below), for every partner, the house's included;
3. a partner's line explains its own net: acquired - refunds acquired - issued + refunds
   issued - fees + interchange + FX bought - FX sold; the house's line explains its clearing
   net by the same columns without the fees and interchange;
4. the ledger verifies.

Why the fee terms. Every clearing leg (code 210: a payment or refund between the payer's and
the merchant's partner; code 211: the house's exchange) is one obligation of the report,
payer to payee, for the leg's amount; so the legs alone give every partner's clearing net.
The report adds two obligations per payment that are not clearing legs: the acquirer owes the
house the merchant discount (the fee already went from the merchant to the house's revenue
account, on the merchant's ledger), and the house owes the issuer the interchange. So, per
currency:

    a partner:  report net = clearing net - fees + interchange        (its own line's columns)
    the house:  report net = clearing net + the other partners' fees - their interchange

An obligation from the house to itself moves nothing, so the house's own line keeps no fee
terms: its fees and interchange columns (on its own merchants and users) count on no net.
Both sides sum to zero per currency, the clearing nets because each leg debits one clearing
account and credits another of the same ledger.

Beside these, the clearing nets, fees and interchange are checked against a model kept from
the operations' outcomes, so the relations above cannot hold by everything being empty.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.kernel.clock import ManualClock, ns_from_utc
from colony.kernel.ids import IdGenerator
from colony.kernel.money import ledger_of
from colony.ledger.verify import verify
from colony.merchants.model import Merchant
from colony.partners.clearing import clearing_account_id
from colony.partners.model import HOUSE_PARTNER_ID, MemberKind
from colony.payments.cross_border import CrossBorderPayments, wallet_refund_minor
from colony.payments.service import PayResult, discount_fee
from colony.payments.store import CrossBorderRecord
from colony.settlement.report import SettlementLine, interchange_minor
from colony.settlement.service import SettlementService
from colony.settlement.windows import window_of
from colony.wallets.model import Wallet
from tests.api.test_cross_border_api import price_from

DAY = dt.datetime(2026, 12, 14, 4, 0, tzinfo=dt.UTC)  # noon in Manila and Singapore
RATES = "date,currency,rate\n2026-12-14,PHP,64\n2026-12-14,SGD,1.5\n2026-12-14,THB,38.5\n"
CURRENCIES = ("PHP", "SGD", "THB")
PARTNERS = (
    ("GCash-like Inc", "GPay", "PH", "PHP"),
    ("Acquirer SG Pte Ltd", "AcqSG", "SG", "SGD"),
)
# Members: one wallet and one merchant per (partner, currency); the house's come last.
MEMBERS = len(CURRENCIES) * (len(PARTNERS) + 1)
# Verified wallets take 500,000.00 each: more than the dearest run of payments costs (15 of
# SGD 500.00 paid in pesos is about PHP 322,000), within the daily outflow cap (1,000,000.00).
FUNDS_MINOR = 50_000_000
AMOUNT_MAX_MINOR = 50_000
STEP_S = 7  # between operations: quotes live 60 s, and the day has room for all


@dataclass(frozen=True)
class Pay:
    wallet: int  # index into the market's wallets
    merchant: int  # index into the market's merchants
    amount_minor: int  # in the merchant's currency


@dataclass(frozen=True)
class Refund:
    payment: int  # which earlier payment, modulo how many there are
    share_bps: int  # of what is left of it to refund (at least one minor unit)


operations = st.lists(
    st.one_of(
        st.builds(
            Pay,
            st.integers(0, MEMBERS - 1),
            st.integers(0, MEMBERS - 1),
            st.integers(1, AMOUNT_MAX_MINOR),
        ),
        st.builds(Refund, st.integers(0, 100), st.integers(1, 10_000)),
    ),
    min_size=1,
    max_size=15,
)
# Discounts per merchant: none, one that rounds to nothing on small amounts, and usual ones.
discounts = st.lists(st.sampled_from((0, 1, 150, 275)), min_size=MEMBERS, max_size=MEMBERS)


@dataclass
class Market:
    ctx: ApiContext
    clock: ManualClock
    ids: IdGenerator
    cross_border: CrossBorderPayments
    partners: list[str]  # the partners' ids, the house last
    wallets: list[tuple[str, Wallet]]  # (its partner, the wallet)
    merchants: list[tuple[str, Merchant, str]]  # (its partner, the merchant, its static QR)


@dataclass
class Paid:
    id: int
    payer: str  # the wallet's partner
    payee: str  # the merchant's partner
    wallet: Wallet
    merchant: Merchant
    amount_minor: int
    fx: CrossBorderRecord | None  # the payer's side, when paid with a quote
    refunded_minor: int = 0


@dataclass
class Expected:
    """What the clearing accounts, fees and interchange should be, from the outcomes alone."""

    clearing: Counter[tuple[str, str]] = field(default_factory=Counter)
    fees: Counter[tuple[str, str]] = field(default_factory=Counter)
    interchange: Counter[tuple[str, str]] = field(default_factory=Counter)

    def owe(self, debtor: str, creditor: str, currency: str, amount_minor: int) -> None:
        self.clearing[(debtor, currency)] -= amount_minor
        self.clearing[(creditor, currency)] += amount_minor

    def crossed(self, p: Paid, merchant_minor: int, wallet_minor: int, *, back: bool) -> None:
        """A payment (or, `back`, a refund) between two partners: the payer's partner owes
        the merchant's; when it paid with a quote, the house delivered it the merchant's
        currency for its own (unless the house paid: it made the exchange for itself)."""
        legs = [(p.payer, p.payee, p.merchant.currency, merchant_minor)]
        if p.fx is not None and p.payer != HOUSE_PARTNER_ID:
            legs += [
                (HOUSE_PARTNER_ID, p.payer, p.merchant.currency, merchant_minor),
                (p.payer, HOUSE_PARTNER_ID, p.wallet.currency, wallet_minor),
            ]
        for debtor, creditor, currency, amount in legs:
            self.owe(*((creditor, debtor) if back else (debtor, creditor)), currency, amount)


def member(index: int) -> tuple[int, str]:
    """(the partner's place, the currency) of the wallet or merchant at `index`."""
    return index // len(CURRENCIES), CURRENCIES[index % len(CURRENCIES)]


@contextmanager
def market(merchant_discounts: list[int]) -> Iterator[Market]:
    """A fresh market on its own SQLite file, pricing from the day's rates (fresh per example:
    hypothesis reuses function fixtures, so no tmp_path)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/market.db"
        clock = ManualClock(ns_from_utc(DAY))
        ctx = build_context(url, clock=clock)
        try:
            (Path(tmp) / "rates.csv").write_text(RATES)
            price_from(ctx, url, clock, Path(tmp) / "rates.csv")
            yield populated(ctx, clock, merchant_discounts)
        finally:
            ctx.ledger.close()
            ctx.close_stores()


def populated(ctx: ApiContext, clock: ManualClock, merchant_discounts: list[int]) -> Market:
    assert ctx.partners is not None and ctx.fx is not None
    partners = []
    for name, brand, country, currency in PARTNERS:
        made, partner = ctx.partners.create(name, brand, country, currency)
        assert partner is not None, made
        partners.append(partner.id)
    partners.append(HOUSE_PARTNER_ID)
    wallets, merchants = [], []
    for index in range(MEMBERS):
        place, currency = member(index)
        owner = partners[place]
        wallet = funded_wallet(ctx, f"+6591{index:06d}", currency)
        onboarded, merchant = ctx.merchants.onboard(
            f"Shop {index} Ltd", f"Shop {index}", "5812", "SG", "Singapore", currency,
            merchant_discounts[index],
        )  # fmt: skip
        assert merchant is not None, onboarded
        if owner != HOUSE_PARTNER_ID:  # the house's members are those no partner enrolled
            ctx.partners.enrol(MemberKind.wallet, wallet.id, owner)
            ctx.partners.enrol(MemberKind.merchant, merchant.id, owner)
        wallets.append((owner, wallet))
        merchants.append((owner, merchant, ctx.payments.merchant_qr(merchant)))
    cross_border = CrossBorderPayments(
        ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, ctx.fx
    )
    ids = IdGenerator(clock, random.Random(0))
    return Market(ctx, clock, ids, cross_border, partners, wallets, merchants)


def funded_wallet(ctx: ApiContext, phone: str, currency: str) -> Wallet:
    opened, wallet = ctx.wallets.open_wallet(phone, "Market User", currency)
    assert wallet is not None, opened
    # Verified (the partner's own KYC) so that the phone-only caps do not refuse payments.
    assert ctx.wallets.verify_identity(wallet.id).name == "ok"
    assert ctx.wallets.cash_in(phone, currency, FUNDS_MINOR).result.name == "ok"
    return wallet


def pay(m: Market, op: Pay, expected: Expected) -> Paid:
    """Make the payment, which must succeed: the wallets hold plenty and may spend it."""
    assert m.ctx.fx is not None
    payer, wallet = m.wallets[op.wallet]
    payee, merchant, qr = m.merchants[op.merchant]
    pid = m.ids.new_id()
    if wallet.currency == merchant.currency:
        outcome = m.ctx.payments.pay_by_qr(
            wallet.phone, wallet.currency, qr, op.amount_minor, payment_id=pid
        )
    else:
        quoted = m.ctx.fx.quote(
            wallet.id, wallet.currency, merchant.currency, buy_amount_minor=op.amount_minor
        )
        assert quoted.quote is not None, quoted
        outcome = m.cross_border.pay(wallet, qr, quoted.quote.id, op.amount_minor, pid)
    assert outcome.result is PayResult.ok, (op, outcome.result)
    paid = Paid(pid, payer, payee, wallet, merchant, op.amount_minor, outcome.cross_border)
    if payer != payee:  # within one partner nothing is cleared, nor settled
        wallet_minor = paid.fx.wallet_amount_minor if paid.fx else op.amount_minor
        expected.crossed(paid, op.amount_minor, wallet_minor, back=False)
        fee = discount_fee(op.amount_minor, merchant.discount_bps)
        expected.fees[(payee, merchant.currency)] += fee
        expected.interchange[(payer, merchant.currency)] += interchange_minor(fee)
    return paid


def refund(m: Market, op: Refund, payments: list[Paid], expected: Expected) -> None:
    """Refund part of what is left of an earlier payment (nothing if none is left). It must
    succeed, unless it is a cross-border refund worth less than a minor unit to the payer."""
    if not payments:
        return
    paid = payments[op.payment % len(payments)]
    left = paid.amount_minor - paid.refunded_minor
    if not left:
        return
    amount = max(1, left * op.share_bps // 10_000)
    rid = m.ids.new_id()
    if paid.fx is None:
        outcome = m.ctx.payments.refund(paid.id, amount, refund_id=rid)
        wallet_minor = amount
    else:
        (payment,) = m.ctx.ledger.lookup_transfers([paid.id])
        outcome = m.cross_border.refund(payment, amount, rid)
        wallet_minor = m.cross_border.refunded_to_wallet_minor(rid)
        back = wallet_refund_minor(
            amount, paid.wallet.currency, paid.merchant.currency, paid.fx.rate
        )
        if outcome.result is PayResult.refund_too_small and back == 0:
            return
        # The payer gets the refund at the payment's own rate, rounded down (ADR 0016).
        assert outcome.result is not PayResult.ok or wallet_minor == back, (wallet_minor, back)
    assert outcome.result is PayResult.ok, (op, amount, left, outcome.result)
    paid.refunded_minor += amount
    if paid.payer != paid.payee:
        expected.crossed(paid, amount, wallet_minor, back=True)


def clearing_net(ctx: ApiContext, partner_id: str, currency: str) -> int:
    """What the platform owes the partner in the currency, read from its clearing account:
    credits less debits, nothing held."""
    found = ctx.ledger.lookup_accounts([clearing_account_id(partner_id, ledger_of(currency))])
    if not found:
        return 0
    (account,) = found
    assert account.debits_pending == account.credits_pending == 0
    return account.credits_posted - account.debits_posted


def no_line(partner_id: str, currency: str) -> SettlementLine:
    """The line of a partner and currency nothing crossed in."""
    return SettlementLine(partner_id, currency, *[0] * 11)


def principal_minor(line: SettlementLine) -> int:
    """A line's net from its clearing legs alone: what crossed and what was exchanged."""
    return (
        line.gross_acquired_minor - line.refunds_acquired_minor
        - line.gross_issued_minor + line.refunds_issued_minor
        + line.fx_bought_minor - line.fx_sold_minor
    )  # fmt: skip


@settings(max_examples=12, deadline=None)
@given(merchant_discounts=discounts, ops=operations)
def test_netting_conserves_money_across_currencies(
    merchant_discounts: list[int], ops: list[Pay | Refund]
) -> None:
    expected = Expected()
    with market(merchant_discounts) as m:
        payments: list[Paid] = []
        for op in ops:
            m.clock.advance(STEP_S)
            if isinstance(op, Pay):
                payments.append(pay(m, op, expected))
            else:
                refund(m, op, payments, expected)

        window = window_of(m.clock.now_ns())
        assert window.name == "2026-12-14"  # everything happened in the one window
        assert m.ctx.partners is not None
        report = SettlementService(m.ctx.ledger, m.ctx.partners.store, m.clock).report(window)
        lines = {(line.partner_id, line.currency): line for line in report.lines}
        assert set(lines) <= {(p, c) for p in m.partners for c in CURRENCIES}

        for currency in CURRENCIES:
            # 1. Netting conserves each currency.
            assert sum(line.net_minor for (_, c), line in lines.items() if c == currency) == 0
            # What the house collects in fees from the other partners, less what it pays them
            # in interchange: obligations of the report that are not clearing legs.
            others = [lines.get((p, currency)) or no_line(p, currency) for p in m.partners[:-1]]
            house_fee_terms = sum(o.fees_minor - o.interchange_minor for o in others)
            for partner in m.partners:
                line = lines.get((partner, currency)) or no_line(partner, currency)
                cleared = clearing_net(m.ctx, partner, currency)
                # The ledger booked what the operations said it should.
                assert cleared == expected.clearing[(partner, currency)], (partner, currency)
                assert line.fees_minor == expected.fees[(partner, currency)]
                assert line.interchange_minor == expected.interchange[(partner, currency)]
                # 2. The report's net is the clearing account's, plus the fee terms.
                fee_terms = (
                    house_fee_terms
                    if partner == HOUSE_PARTNER_ID
                    else line.interchange_minor - line.fees_minor
                )
                assert line.net_minor == cleared + fee_terms, (partner, currency, line)
                # 3. A line explains its net (the house's: its clearing net) from its columns.
                if partner == HOUSE_PARTNER_ID:
                    assert cleared == principal_minor(line), line
                else:
                    assert line.net_minor == (
                        principal_minor(line) - line.fees_minor + line.interchange_minor
                    ), line

        # 4. The ledger's balances are what its transfers make them, and every ledger balances.
        verified = verify(*m.ctx.ledger.snapshot_for_verify())
        assert verified.ok, (verified.mismatches, verified.problems)
