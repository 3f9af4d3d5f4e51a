"""The ledger's batches over real HTTP: results by index as the ledger gives them, malformed
requests refused whole, the batch limit, operator keys only, Idempotency-Key."""

from __future__ import annotations

import json

import httpx
import pytest

from colony.api.context import ApiContext
from colony.ledger.router import events_per_request_max
from tests.api.test_payment_api import onboard, operator_headers
from tests.api.test_wallet_api import auth, open_wallet

LEDGER = 9  # a ledger of its own, apart from any wallet's
ACCOUNTS = "/v1/ledger/accounts/batch"
TRANSFERS = "/v1/ledger/transfers/batch"


def post(
    client: httpx.Client, ctx: ApiContext, path: str, body: object, key: str
) -> httpx.Response:
    return client.post(path, json=body, headers=operator_headers(ctx) | {"Idempotency-Key": key})


def accounts(*ids: int) -> dict[str, object]:
    return {"accounts": [{"id": i, "ledger": LEDGER, "code": 1} for i in ids]}


def transfer(tid: int | str, debit: int, credit: int, amount: int | str) -> dict[str, object]:
    return {
        "id": tid,
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "ledger": LEDGER,
        "code": 7,
    }


def results(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [row["index"] for row in data] == list(range(len(data)))
    return [row["result"] for row in data]


def test_accounts_then_transfers_with_a_result_each(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    made = post(client, ctx, ACCOUNTS, accounts(1, 2, 1, 0), "a1")
    assert results(made) == ["ok", "ok", "exists", "id_must_not_be_zero"]
    big = 2**127 + 5  # past 2**53: as a string of digits, as JSON tools lose it otherwise
    body = {
        "transfers": [
            transfer(10, 1, 2, 500),
            transfer(str(big), 2, 1, "200"),
            transfer(11, 1, 3, 1),  # no account 3
            transfer(10, 1, 2, 500),
            {"id": 12, "pending_id": 99, "flags": ["void_pending_transfer"]},
        ]
    }
    answered = post(client, ctx, TRANSFERS, body, "t1")
    assert results(answered) == [
        "ok",
        "ok",
        "credit_account_not_found",
        "exists",
        "pending_transfer_not_found",
    ]
    # The ledger agrees with every answer.
    one, two = ctx.ledger.lookup_accounts([1, 2])
    assert (one.debits_posted, one.credits_posted) == (500, 200)
    assert (two.debits_posted, two.credits_posted) == (200, 500)
    assert [t.id for t in ctx.ledger.lookup_transfers([10, big, 11, 12])] == [10, big]
    # The same key and bytes replay the answer; nothing is applied twice.
    again = post(client, ctx, TRANSFERS, body, "t1")
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == answered.json()
    other = post(client, ctx, TRANSFERS, {"transfers": body["transfers"][:1]}, "t1")
    assert other.status_code == 409


def test_a_full_batch_is_taken_and_one_more_is_refused(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    assert results(post(client, ctx, ACCOUNTS, accounts(1, 2), "a")) == ["ok", "ok"]
    full = {"transfers": [transfer(100 + i, 1, 2, 1) for i in range(events_per_request_max)]}
    assert results(post(client, ctx, TRANSFERS, full, "full")) == ["ok"] * 8190
    assert ctx.ledger.lookup_accounts([2])[0].credits_posted == 8190
    over = {"transfers": [*full["transfers"], transfer(1, 1, 2, 1)]}
    refused = post(client, ctx, TRANSFERS, over, "over")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("batch_too_large", "transfers")
    assert "8,190" in error["message"]
    too_many = post(client, ctx, ACCOUNTS, accounts(*range(3, 8195)), "too-many")
    assert too_many.json()["error"]["code"] == "batch_too_large"


@pytest.mark.parametrize(
    ("bad", "param", "words"),
    [
        ({"amount": 1.5}, "transfers[1].amount", "floats are not money"),
        ({"amount": -1}, "transfers[1].amount", "unsigned 128-bit"),
        ({"amount": True}, "transfers[1].amount", "not a boolean"),
        ({"debit_account_id": "0x10"}, "transfers[1].debit_account_id", "string of digits"),
        ({"code": 70_000}, "transfers[1].code", "unsigned 16-bit"),
        ({"flags": ["pending", "fast"]}, "transfers[1].flags", "unknown flag 'fast'"),
        ({"colour": "red"}, "transfers[1].colour", "unknown field"),
        ({"ledger": None}, "transfers[1].ledger", "must be an integer"),
        ({"amount": "9" * 5000}, "transfers[1].amount", "5,000 digits"),
    ],
)
def test_a_malformed_event_refuses_the_whole_batch(
    served: tuple[httpx.Client, ApiContext], bad: dict[str, object], param: str, words: str
) -> None:
    client, ctx = served
    results(post(client, ctx, ACCOUNTS, accounts(1, 2), "a"))
    body = {"transfers": [transfer(10, 1, 2, 5), transfer(11, 1, 2, 5) | bad]}
    refused = post(client, ctx, TRANSFERS, body, "bad")
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["param"] == param and words in error["message"], error
    assert "transfers[1]" in error["message"]
    assert ctx.ledger.lookup_transfers([10, 11]) == []  # nothing applied, not even the first


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"transfers": []}, "transfers"),
        ({"transfers": {"id": 1}}, "transfers"),
        ({"transfer": []}, "transfers"),
        ([{"id": 1}], "transfers"),
        ({"transfers": [{"id": 1, "ledger": 1}]}, "transfers[0].debit_account_id"),
        ({"transfers": [7]}, "transfers[0]"),
    ],
)
def test_malformed_requests(
    served: tuple[httpx.Client, ApiContext], body: object, param: str
) -> None:
    client, ctx = served
    refused = post(client, ctx, TRANSFERS, body, "bad")
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == param


def test_a_number_too_long_to_read_is_refused_naming_its_field(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    headers = operator_headers(ctx) | {"Idempotency-Key": "x", "Content-Type": "application/json"}
    # Past the 4,300 digits Python reads, so written by hand: json.dumps refuses it too.
    body = json.dumps({"transfers": [transfer(1, 1, 2, 0)]}).replace(
        '"amount": 0', f'"amount": {"9" * 5000}'
    )
    refused = client.post(TRANSFERS, content=body.encode(), headers=headers)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["param"] == "transfers[0].amount" and "5,000 digits" in error["message"]


def test_a_field_given_twice_is_refused(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    headers = operator_headers(ctx) | {"Idempotency-Key": "x", "Content-Type": "application/json"}
    body = json.dumps(accounts(7))[:-3] + ', "id": 8}]}'
    refused = client.post(ACCOUNTS, content=body.encode(), headers=headers)
    assert refused.status_code == 400, refused.text
    assert 'field "id" is given twice' in refused.json()["error"]["message"]
    assert ctx.ledger.lookup_accounts([7, 8]) == []


def test_not_json_is_refused(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    headers = operator_headers(ctx) | {"Idempotency-Key": "x"}
    refused = client.post(TRANSFERS, content=b"{not json", headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "parameter_invalid"


def test_operator_only_and_idempotency_key_required(
    served: tuple[httpx.Client, ApiContext],
) -> None:
    client, ctx = served
    wallet = open_wallet(client, "+6591234567")
    merchant = onboard(client, ctx)
    body = accounts(1)
    for headers in (
        {},
        auth(wallet),
        {"Authorization": f"Bearer {merchant['api_key']}"},
        {"Authorization": "Bearer opk_" + "22" * 32},
    ):
        refused = client.post(ACCOUNTS, json=body, headers=headers | {"Idempotency-Key": "k"})
        assert refused.status_code == 401, refused.text
    missing = client.post(ACCOUNTS, json=body, headers=operator_headers(ctx))
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "idempotency_key_missing"
    assert ctx.ledger.lookup_accounts([1]) == []


def test_leading_zeros_are_not_digits_of_a_number(served: tuple[httpx.Client, ApiContext]) -> None:
    """A string of digits may start with zeros, thousands of them: it is read as its value
    (Python's limit of 4,300 digits counts the zeros, so they are read past first)."""
    client, ctx = served
    results(post(client, ctx, ACCOUNTS, accounts(1, 2), "a"))
    body = {"transfers": [transfer(10, 1, 2, "0" * 5000 + "5")]}
    assert results(post(client, ctx, TRANSFERS, body, "zeros")) == ["ok"]
    (made,) = ctx.ledger.lookup_transfers([10])
    assert made.amount == 5


def test_json_nested_too_deeply_is_refused(served: tuple[httpx.Client, ApiContext]) -> None:
    client, ctx = served
    headers = operator_headers(ctx) | {"Idempotency-Key": "x", "Content-Type": "application/json"}
    body = b'{"transfers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    refused = client.post(TRANSFERS, content=body, headers=headers)
    assert refused.status_code == 400, refused.text
    assert "nested too deeply" in refused.json()["error"]["message"]
