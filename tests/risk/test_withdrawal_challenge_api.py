"""A withdrawal that risk control challenges is answered with the wallet's PIN over the HTTP
API, as a payment and a P2P transfer are (docs/adr/0063), on real HTTP over loopback: the
same request sent again with the same Idempotency-Key and the PIN in its `pin` field is the
same withdrawal (the same id, scored once) and is held for the bank; a wrong PIN says how many
tries are left and keeps nothing, the fifth locks the PIN; the PIN is no part of what the key
answers for, and is kept nowhere."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.credentials import lock_s
from colony.kernel.clock import ManualClock
from colony.risk import Decision, Reason, RiskCheck
from tests.api.test_funding_api import books
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet
from tests.risk.test_challenge_api import PIN, _challenging, _refused
from tests.risk.test_risk_api import PHONE, _rules

Served = tuple[httpx.Client, ApiContext, ManualClock]


def _wallet(served_at: Served) -> tuple[httpx.Client, ApiContext, dict[str, object], RiskCheck]:
    """A wallet with 1,000.00 SGD whose withdrawals of 10.00 or more are challenged."""
    client, ctx, _ = served_at
    alice = open_wallet(client, PHONE)
    assert ctx.wallets.cash_in(PHONE, "SGD", 100_000).result.name == "ok"
    return client, ctx, alice, _challenging(ctx)


def _withdraw(
    client: httpx.Client, alice: dict[str, object], key: str, pin: str | None = None,
    amount_minor: int = 2_500,
) -> httpx.Response:  # fmt: skip
    body: dict[str, object] = {"partner": "dbs", "amount_minor": amount_minor}
    return client.post(
        "/v1/wallets/me/withdrawals",
        json=body | ({} if pin is None else {"pin": pin}),
        headers=wallet_auth(alice) | {"Idempotency-Key": key},
    )


def test_a_challenged_withdrawal_is_held_for_the_bank_with_the_pin(served_at: Served) -> None:
    client, ctx, alice, check = _wallet(served_at)
    start = books(ctx, PHONE)
    asked = _withdraw(client, alice, "rent")
    assert _refused(asked, 402) == "risk_challenge_required"
    again = _withdraw(client, alice, "rent")  # not kept under the key: asked again
    assert (again.status_code, again.json()) == (402, asked.json())
    assert "idempotent-replayed" not in again.headers
    wrong = _withdraw(client, alice, "rent", pin="000000")
    assert wrong.json()["error"] | {"message": ""} == {
        "type": "payment_error", "code": "pin_wrong", "message": "", "param": "pin",
    }  # fmt: skip
    assert "4 tries left" in wrong.json()["error"]["message"]
    assert books(ctx, PHONE) == start  # nothing held by a refusal
    held = _withdraw(client, alice, "rent", pin=PIN)
    assert held.status_code == 201, held.text
    assert (held.json()["status"], held.json()["amount_minor"]) == ("pending", 2_500)
    assert books(ctx, PHONE)["held"] == start["held"] + 2_500
    replayed = _withdraw(client, alice, "rent")  # the answer given, without the PIN
    assert (replayed.status_code, replayed.json()) == (201, held.json())
    assert replayed.headers["idempotent-replayed"] == "true"
    assert books(ctx, PHONE)["held"] == start["held"] + 2_500  # held once
    # Scored once: one assessment kept, one attempt in the wallet's window.
    assert check.store is not None
    kept = check.store.recent()
    assert [(k.assessment.decision, k.event.channel.value) for k in kept] == [
        (Decision.challenge, "withdrawal")
    ]
    assert kept[0].payment_id == int(held.json()["id"].removeprefix("wd_"), 16)


def test_the_pin_answers_the_challenged_withdrawal_only(served_at: Served) -> None:
    client, ctx, alice, check = _wallet(served_at)
    assert _refused(_withdraw(client, alice, "fees"), 402) == "risk_challenge_required"
    check.use_rules(_rules(Reason.amount_large, Decision.block, 20))  # USD 20: SGD 25.60
    # Another amount under the same key is another withdrawal: scored afresh, and blocked,
    # whatever PIN comes with it.
    other = _withdraw(client, alice, "fees", pin=PIN, amount_minor=2_600)
    assert _refused(other, 402) == "risk_blocked"
    assert other.json()["error"]["message"] == "risk blocked: amount_large"
    replayed = _withdraw(client, alice, "fees", amount_minor=2_600)  # the PIN is not hashed
    assert (replayed.json(), replayed.headers["idempotent-replayed"]) == (other.json(), "true")
    assert _refused(_withdraw(client, alice, "fees", pin=PIN), 409) == "idempotency_key_reused"
    assert books(ctx, PHONE)["held"] == 0


def test_wrong_pins_lock_withdrawals_and_the_lock_is_no_answer_kept(served_at: Served) -> None:
    client, _, alice, _ = _wallet(served_at)
    clock = served_at[2]
    for left in ("4", "3", "2", "1"):
        wrong = _withdraw(client, alice, "card", pin="111112")
        assert f": {left} tries left" in wrong.json()["error"]["message"], wrong.text
    locked = _withdraw(client, alice, "card", pin="111112")
    assert (_refused(locked, 429), locked.headers["retry-after"]) == ("pin_locked", str(lock_s))
    assert _refused(_withdraw(client, alice, "card", pin=PIN), 429) == "pin_locked"
    clock.advance(lock_s)
    held = _withdraw(client, alice, "card", pin=PIN)
    assert held.status_code == 201, held.text


def test_a_pin_sent_unasked_is_checked_first(served_at: Served) -> None:
    client, ctx, alice, _ = _wallet(served_at)
    # Below the challenge: a wrong PIN is refused all the same (always checked first) ...
    small = 900
    wrong = _withdraw(client, alice, "small", pin="000000", amount_minor=small)
    assert _refused(wrong, 402) == "pin_wrong"
    # ... and the right one, or none, withdraws.
    assert _withdraw(client, alice, "small", pin=PIN, amount_minor=small).status_code == 201
    assert _withdraw(client, alice, "plain", amount_minor=small).status_code == 201
    # A wallet with no PIN yet is told so.
    bob_phone = "+6598765432"
    bob = open_wallet(client, bob_phone)
    assert ctx.wallets.cash_in(bob_phone, "SGD", 10_000).result.name == "ok"
    assert _refused(_withdraw(client, bob, "bob", pin=PIN), 402) == "pin_not_set"
