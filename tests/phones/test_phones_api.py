"""Proving a number over HTTP, on each backend: a wallet opens only with the code texted to
its number; wrong codes are counted, codes expire, and a verification dies after its tries;
starting one answers the same for a number with a wallet as for one without; the code shows
in no answer but the operator's outbox."""

from __future__ import annotations

import httpx

from colony.phones import code_attempts_max, code_ttl_s, codes_per_phone_max
from tests.api.test_funding_api import Served, post
from tests.api.test_wallet_api import OPERATOR, auth, open_wallet, sent_code

ALICE, BOB, MALLORY = "+6591110001", "+6591110002", "+6591110003"


def start(client: httpx.Client, phone: str, key: str) -> httpx.Response:
    return post(client, "/v1/phone_verifications", {}, key,
                {"phone": phone, "purpose": "open_wallet"})  # fmt: skip


def opening(
    client: httpx.Client, phone: str, verification: str, code: str, key: str, currency: str = "SGD"
) -> httpx.Response:
    body = {"phone": phone, "name": "Ann", "currency": currency, "verification": verification,
            "code": code}  # fmt: skip
    return post(client, "/v1/wallets", {}, key, body)


def refused(response: httpx.Response, status: int, code: str, param: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, param), error


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_wallet_opens_only_with_the_code_sent_to_its_number(
    served_at_each_backend: Served,
) -> None:
    client, ctx, _ = served_at_each_backend
    alice = open_wallet(client, ALICE)  # proved by the helper: the code from the outbox
    # Mallory holds Alice's number in no currency: she cannot open a USD wallet on it.
    started = start(client, ALICE, "m-1").json()
    for n, guess in enumerate(("000000", "123456", "999999")):
        if guess != sent_code(client, ALICE):
            attempt = opening(client, ALICE, started["id"], guess, f"m-open-{n}", "USD")
            refused(attempt, 400, "code_wrong", "code")
    assert ctx.wallet_store.by_phone(ALICE, "USD") is None
    # Without a verification, or with another number's, nothing opens either.
    bare = post(client, "/v1/wallets", {}, "m-bare",
                {"phone": ALICE, "name": "Ann", "currency": "USD"})  # fmt: skip
    refused(bare, 400, "parameter_invalid", "verification")
    mallorys = start(client, MALLORY, "m-2").json()
    stolen = opening(client, ALICE, mallorys["id"], sent_code(client, MALLORY), "m-open-x", "USD")
    refused(stolen, 404, "verification_not_found", "verification")
    assert ctx.wallet_store.by_phone(ALICE, "USD") is None
    # Alice herself, with her code, opens a second currency; her first is hers to be told of.
    code = sent_code(client, ALICE)
    assert opening(client, ALICE, started["id"], code, "a-usd", "USD").status_code == 201
    again = opening(client, ALICE, started["id"], code, "a-sgd", "SGD")
    refused(again, 409, "phone_taken", "phone")
    assert str(alice["id"]) in again.json()["error"]["message"]
    me = client.get("/v1/wallets/me", headers=auth(alice))
    assert me.status_code == 200 and me.json()["balance"]["amount_minor"] == 1


def test_wrong_codes_are_counted_and_then_the_verification_is_dead(
    served_at_each_backend: Served,
) -> None:
    client, ctx, _ = served_at_each_backend
    started = start(client, BOB, "b-1").json()
    code = sent_code(client, BOB)
    for n in range(code_attempts_max):
        refused(opening(client, BOB, started["id"], wrong(code), f"b-{n}"), 400, "code_wrong",
                "code")  # fmt: skip
    refused(opening(client, BOB, started["id"], code, "b-right"), 400, "attempts_exhausted",
            "code")  # fmt: skip
    assert ctx.wallet_store.by_phone(BOB, "SGD") is None
    # A new code starts a new count.
    fresh = start(client, BOB, "b-2").json()
    assert opening(client, BOB, fresh["id"], sent_code(client, BOB), "b-ok").status_code == 201


def test_a_code_expires(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    started = start(client, BOB, "b-1").json()
    assert started["expires_at"] == ctx.clock.now_ns() // 10**9 + code_ttl_s
    clock.advance(code_ttl_s)
    late = opening(client, BOB, started["id"], sent_code(client, BOB), "b-late")
    refused(late, 400, "code_expired", "code")
    assert ctx.wallet_store.by_phone(BOB, "SGD") is None


def test_starting_answers_the_same_whether_or_not_the_number_has_a_wallet(
    served_at_each_backend: Served,
) -> None:
    client, _, _ = served_at_each_backend
    open_wallet(client, ALICE)
    customer, stranger = start(client, ALICE, "same-1"), start(client, BOB, "same-1")
    assert customer.status_code == stranger.status_code == 202
    assert dict(customer.headers).keys() == dict(stranger.headers).keys()
    one, other = customer.json(), stranger.json()
    assert one.keys() == other.keys() and len(one["id"]) == len(other["id"])
    assert {k: v for k, v in one.items() if k not in ("id", "phone")} == {
        k: v for k, v in other.items() if k not in ("id", "phone")
    }
    # Both numbers were sent a code: the outbox is the same for a customer and a stranger.
    assert sent_code(client, ALICE) and sent_code(client, BOB)


def test_too_many_codes_to_one_number_are_refused_for_a_while(
    served_at_each_backend: Served,
) -> None:
    client, _, _ = served_at_each_backend
    for n in range(codes_per_phone_max):
        assert start(client, MALLORY, f"flood-{n}").status_code == 202
    flood = start(client, MALLORY, "flood-x")
    refused(flood, 429, "too_many_codes", "phone")
    assert int(flood.headers["Retry-After"]) > 0
    assert start(client, BOB, "other").status_code == 202  # another number is not held back
    malformed = start(client, "91234567", "bad")
    refused(malformed, 400, "invalid_phone", "phone")


def test_the_code_is_in_no_answer_but_the_operators_outbox(
    served_at_each_backend: Served,
) -> None:
    client, ctx, _ = served_at_each_backend
    answers: list[httpx.Response] = []
    started = start(client, BOB, "b-1")
    answers.append(started)
    answers.append(start(client, BOB, "b-1"))  # a replay
    code = sent_code(client, BOB)
    verification = started.json()["id"]
    answers.append(opening(client, BOB, verification, wrong(code), "b-wrong"))
    opened = opening(client, BOB, verification, code, "b-open")
    answers += [opened, opening(client, BOB, verification, code, "b-open")]
    answers.append(client.get("/v1/wallets/me", headers=auth(opened.json())))
    answers.append(client.get("/openapi.json"))
    for answer in answers:
        assert code not in answer.text, answer.request.url
    outbox = client.get("/v1/sms_outbox", headers=OPERATOR).json()
    assert outbox["data"][0]["phone"] == BOB and outbox["data"][0]["text"].startswith(code)
    # Only an operator reads the outbox.
    assert client.get("/v1/sms_outbox").status_code == 401
    assert client.get("/v1/sms_outbox", headers=auth(opened.json())).status_code == 401
    assert ctx.wallet_store.by_phone(BOB, "SGD") is not None


def test_the_outbox_pages_by_cursor(served_at_each_backend: Served) -> None:
    client, _, _ = served_at_each_backend
    for n, phone in enumerate((ALICE, BOB, MALLORY)):
        assert start(client, phone, f"p-{n}").status_code == 202
    first = client.get("/v1/sms_outbox", params={"limit": 2}, headers=OPERATOR).json()
    assert [m["phone"] for m in first["data"]] == [MALLORY, BOB] and first["has_more"]
    after = {"limit": 2, "starting_after": first["next_cursor"]}
    rest = client.get("/v1/sms_outbox", params=after, headers=OPERATOR).json()
    assert [m["phone"] for m in rest["data"]] == [ALICE] and not rest["has_more"]
    too_many = client.get("/v1/sms_outbox", params={"limit": 101}, headers=OPERATOR)
    assert too_many.status_code == 400
