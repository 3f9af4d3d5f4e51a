"""Risk control's challenge answered with the wallet's PIN over the HTTP API, on real HTTP
over loopback (docs/adr/0062): the same request sent again with the same Idempotency-Key
and the PIN in its `pin` field is the same payment, scored once, and is paid; a wrong PIN
says how many tries are left, the fifth locks the PIN (429 with Retry-After), and nothing
refused is kept under the key. P2P transfers answer a challenge the same way."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from colony.credentials import CredentialService, SecretKind, lock_s
from colony.kernel.clock import ManualClock
from colony.risk import Channel, Decision, Reason, RiskCheck, RiskEvent
from colony.web.wallet_access import pin_subject
from tests.api.test_wallet_api import auth as wallet_auth
from tests.api.test_wallet_api import open_wallet
from tests.risk.test_risk_api import PHONE, _balance, _rules, _shop

Served = tuple[httpx.Client, ApiContext, ManualClock]
PIN = "482915"
FRIEND = "+6598765432"


def _pay(
    client: httpx.Client, alice: dict[str, object], code: str, key: str, pin: str | None = None
) -> httpx.Response:
    body: dict[str, object] = {"payload": code, "amount_minor": 2_500}
    if pin is not None:
        body["pin"] = pin
    return client.post(
        "/v1/payments", json=body, headers=wallet_auth(alice) | {"Idempotency-Key": key}
    )


def _refused(response: httpx.Response, status: int) -> str:
    """The error code of a refusal answered with `status`."""
    assert response.status_code == status, response.text
    return str(response.json()["error"]["code"])


def _challenging(ctx: ApiContext) -> RiskCheck:
    """Every payment of USD 10 (SGD 12.80) or more is challenged; the wallet has its PIN."""
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.challenge, 10))
    credentials = ctx.service(CredentialService)
    assert credentials.set(pin_subject(PHONE), SecretKind.pin, PIN).name == "ok"
    return check


def test_a_challenged_payment_is_paid_by_the_same_request_with_the_pin(
    served_at: Served,
) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = _challenging(ctx)
    start = _balance(client, alice)
    asked = _pay(client, alice, code, "coffee")
    assert asked.status_code == 402, asked.text
    assert asked.json()["error"]["code"] == "risk_challenge_required"
    again = _pay(client, alice, code, "coffee")  # not kept under the key: asked again
    assert (again.status_code, again.json()) == (402, asked.json())
    assert "idempotent-replayed" not in again.headers
    wrong = _pay(client, alice, code, "coffee", pin="000000")
    assert wrong.status_code == 402, wrong.text
    assert wrong.json()["error"] | {"message": ""} == {
        "type": "payment_error", "code": "pin_wrong", "message": "", "param": "pin",
    }  # fmt: skip
    assert "4 tries left" in wrong.json()["error"]["message"]
    assert _balance(client, alice) == start
    paid = _pay(client, alice, code, "coffee", pin=PIN)
    assert paid.status_code == 201, paid.text
    assert (paid.json()["status"], paid.json()["amount_minor"]) == ("succeeded", 2_500)
    assert _balance(client, alice) == start - 2_500
    replayed = _pay(client, alice, code, "coffee")  # the answer given, without the PIN
    assert (replayed.status_code, replayed.json()) == (201, paid.json())
    assert replayed.headers["idempotent-replayed"] == "true"
    assert _balance(client, alice) == start - 2_500
    # Scored once: one attempt in the wallet's window, one assessment kept.
    assert check.store is not None
    assert [k.assessment.decision for k in check.store.recent()] == [Decision.challenge]
    counted = check.features.features(_probe(ctx, alice))
    assert (counted.wallet_count_1h, counted.history_count) == (1, 1)


def _probe(ctx: ApiContext, alice: dict[str, object]) -> RiskEvent:
    return RiskEvent(Channel.qr, str(alice["id"]), "m", 1, "SGD", ctx.clock.now_ns())


def test_the_pin_answers_the_challenged_request_only(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = _challenging(ctx)
    assert _pay(client, alice, code, "tea").status_code == 402  # 25.00 SGD: challenged
    check.use_rules(_rules(Reason.amount_large, Decision.block, 20))  # USD 20: SGD 25.60
    dearer = {"payload": code, "amount_minor": 2_600}
    headers = wallet_auth(alice) | {"Idempotency-Key": "tea"}
    # Another amount under the same key is another payment: scored afresh, not answered by
    # the PIN given for the first one's challenge.
    other = client.post("/v1/payments", json=dearer | {"pin": PIN}, headers=headers)
    assert _refused(other, 402) == "risk_blocked"
    # The PIN is no part of what the key answers for: without it, the same answer again.
    replayed = client.post("/v1/payments", json=dearer, headers=headers)
    assert (replayed.json(), replayed.headers["idempotent-replayed"]) == (other.json(), "true")
    first = _pay(client, alice, code, "tea", pin=PIN)
    assert _refused(first, 409) == "idempotency_key_reused"


def test_wrong_pins_lock_it_and_the_lock_is_no_answer_kept(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    _challenging(ctx)
    clock = served_at[2]
    start = _balance(client, alice)
    lefts = [
        _pay(client, alice, code, "cake", pin="111112").json()["error"]["message"] for _ in range(4)
    ]
    assert [m.split(": ")[1].split(" tries")[0] for m in lefts] == ["4", "3", "2", "1"]
    locked = _pay(client, alice, code, "cake", pin="111112")
    assert (_refused(locked, 429), locked.headers["retry-after"]) == ("pin_locked", str(lock_s))
    still = _pay(client, alice, code, "cake", pin=PIN)  # the right PIN waits for the lock
    assert _refused(still, 429) == "pin_locked"
    assert _balance(client, alice) == start
    clock.advance(lock_s)
    paid = _pay(client, alice, code, "cake", pin=PIN)
    assert paid.status_code == 201, paid.text
    assert _balance(client, alice) == start - 2_500


def test_a_wallet_without_a_pin_is_told_so(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    ctx.service(RiskCheck).use_rules(_rules(Reason.amount_large, Decision.challenge, 10))
    assert _refused(_pay(client, alice, code, "bun", pin=PIN), 402) == "pin_not_set"


def test_a_challenged_p2p_transfer_is_sent_with_the_pin(served_at: Served) -> None:
    client, ctx, _, alice = _shop(served_at)
    _challenging(ctx)
    open_wallet(client, FRIEND)
    start = _balance(client, alice)

    def send(pin: str | None = None) -> httpx.Response:
        body: dict[str, object] = {"to_phone": FRIEND, "amount_minor": 1_500}
        return client.post(
            "/v1/wallets/me/transfers",
            json=body | ({} if pin is None else {"pin": pin}),
            headers=wallet_auth(alice) | {"Idempotency-Key": "lunch"},
        )

    assert _refused(send(), 402) == "risk_challenge_required"
    assert send("999990").json()["error"]["code"] == "pin_wrong"
    sent = send(PIN)
    assert sent.status_code == 201, sent.text
    assert send().json() == sent.json()  # kept under the key once sent
    assert _balance(client, alice) == start - 1_500
