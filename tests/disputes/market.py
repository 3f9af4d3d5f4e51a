"""A small market for complaints' tests: a stall in Singapore, two people with money, and
payments between them, on a served context whose clock starts 2026-01-01 00:00 UTC."""

from __future__ import annotations

from dataclasses import dataclass

from colony.api.context import ApiContext
from colony.disputes import ComplaintService, DisputeService, Outcomes
from colony.kernel.clock import ManualClock
from colony.merchants import Merchant
from colony.wallets import Wallet

MEI, RAJ = "+6581239101", "+6581239102"


@dataclass
class Market:
    ctx: ApiContext
    clock: ManualClock
    stall: Merchant
    mei: Wallet
    raj: Wallet
    paid: int = 0

    @property
    def complaints(self) -> ComplaintService:
        return self.ctx.service(ComplaintService)

    @property
    def disputes(self) -> DisputeService:
        return self.ctx.service(DisputeService)

    @property
    def outcomes(self) -> Outcomes:
        return self.ctx.service(Outcomes)

    def pay(self, wallet: Wallet, amount_minor: int) -> int:
        self.paid += 1
        payload = self.ctx.payments.merchant_qr(self.stall)
        pid = 1 << 126 | 7_000 + self.paid
        made = self.ctx.payments.pay_by_qr(wallet.phone, "SGD", payload, amount_minor, pid)
        assert made.result.name == "ok", made.result
        return pid

    def balance(self, account_id: int) -> int:
        (account,) = self.ctx.ledger.lookup_accounts([account_id])
        return account.credits_posted - account.debits_posted


def market(ctx: ApiContext, clock: ManualClock) -> Market:
    _, stall = ctx.merchants.onboard(
        "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
    )
    assert stall is not None
    people = []
    for phone, name in ((MEI, "Mei Tan"), (RAJ, "Raj Kumar")):
        assert ctx.wallets.open_wallet(phone, name, "SGD")[0].name == "ok"
        assert ctx.wallets.cash_in(phone, "SGD", 500_00).result.name == "ok"
        wallet = ctx.wallet_store.by_phone(phone, "SGD")
        assert wallet is not None
        people.append(wallet)
    return Market(ctx, clock, stall, *people)
