"""Money sent in the app carries the PIN, which answers a challenge of risk control's: the
transfer that the same rule refuses without a PIN (as the API sends it) is sent from the
app's Send screen (docs/adr/0060), and a withdrawal so refused is made from the Withdraw
screen (docs/adr/0063). Over real HTTP on loopback."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.risk import Decision, Reason, RiskCheck
from colony.wallets import WalletResult
from tests.api.test_funding_api import books
from tests.risk.test_risk_api import _rules
from tests.web.test_app_pages import ALI, MEI, _balance, _funded
from tests.web.visitor import Visitor, signed_up, visitor_for, words

Served = tuple[httpx.Client, ApiContext, ManualClock]


def _mei_with_40_and_ali(api: httpx.Client, ctx: ApiContext) -> Visitor:
    """Mei signed up in the app with SGD 40.00 in her wallet; Ali has a wallet to send to."""
    mei = visitor_for(api)
    signed_up(mei, api, MEI)
    signed_up(visitor_for(api), api, ALI, name="Ali Rahman", pin="730194")
    _funded(api, ctx, mei, "40")
    return mei


def test_the_pin_on_the_send_screen_answers_a_challenge(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = _mei_with_40_and_ali(api, ctx)
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.challenge, 9))
    without_pin = ctx.wallets.p2p(MEI, ALI, "SGD", 1_250)
    assert without_pin.result is WalletResult.risk_challenge_required
    sent = mei.post("/app/send", {"to_phone": ALI, "amount": "12.50", "pin": "482915"})
    assert sent.status_code == 303, words(sent.text)
    assert _balance(ctx, ALI) == 1 + 1_250


def test_the_pin_on_the_withdraw_screen_answers_a_challenge(served_at: Served) -> None:
    api, ctx, _ = served_at
    mei = visitor_for(api)
    signed_up(mei, api, MEI)
    _funded(api, ctx, mei, "40")
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.challenge, 9))
    wallet = ctx.wallet_store.by_phone(MEI, "SGD")
    assert wallet is not None and ctx.funding is not None
    without_pin = ctx.funding.withdraw(wallet, "dbs", 1_250)
    assert without_pin.result is WalletResult.risk_challenge_required
    wrong = mei.post("/app/withdraw", {"partner": "dbs", "amount": "12.50", "pin": "000001"})
    assert wrong.status_code == 400 and "4 tries left" in words(wrong.text)
    held = mei.post("/app/withdraw", {"partner": "dbs", "amount": "12.50", "pin": "482915"})
    assert held.status_code == 303, words(held.text)
    assert "Waiting for the bank" in words(mei.text(held.headers["location"]))
    assert books(ctx, MEI)["held"] == 1_250  # until the bank confirms
    assert "Withdrawal pending" in words(mei.text("/app"))  # the hold, on the home screen


def test_a_block_reads_as_stopped_for_safety_on_every_screen_money_leaves(
    served_at: Served,
) -> None:
    """A block names no rule (that would teach whoever holds the phone how to get round it),
    and a withdrawal blocked by Colony does not read as refused by the bank."""
    api, ctx, _ = served_at
    mei = _mei_with_40_and_ali(api, ctx)
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.block, 9))
    stopped = "Stopped for your safety: it did not look like you."
    sent = mei.post("/app/send", {"to_phone": ALI, "amount": "12.50", "pin": "482915"})
    assert sent.status_code == 400 and stopped in words(sent.text)
    taken = mei.post("/app/withdraw", {"partner": "dbs", "amount": "12.50", "pin": "482915"})
    assert taken.status_code == 400 and stopped in words(taken.text)
    assert "bank refused" not in words(taken.text) and "amount_large" not in taken.text
    assert _balance(ctx, MEI) == 1 + 4_000  # nothing left the wallet
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.block, 1_000))
    short = mei.post("/app/withdraw", {"partner": "dbs", "amount": "50.00", "pin": "482915"})
    assert short.status_code == 400 and "Not enough money in your wallet." in words(short.text)
