"""Clearing and settlement over real HTTP, on each backend: a day of payments across three
partners, the report's numbers written out, its CSV, the netting, and reconciliation.

The worked example, all in SGD, on 14 March 2026 (UTC). GCash-like (A) issues wallets;
Acquirer SG (B) acquires the Hawker (discount 150 bps); TrueMoney-like (C) has both a user
and a gift shop (discount 200 bps). Interchange is 20 % of the fee, rounded down.

    1. A's user pays the Hawker (B)       25.00   fee 0.38  interchange to A 0.07
    2. A's user pays the gift shop (C)    80.00   fee 1.60  interchange to A 0.32
    3. C's user pays the Hawker (B)       40.00   fee 0.60  interchange to C 0.12
    4. the Hawker refunds C's user        10.00   (the fee and interchange stay)
    5. A's user's authorisation at the Hawker, 12.00, held over midnight: not owed yet

    A   issued 105.00, interchange 0.39                    net -104.61
    B   acquired 65.00, refunded 10.00, fees 0.98          net  +54.02
    C   acquired 80.00, fees 1.60; issued 40.00,
        refunds back 10.00, interchange 0.12               net  +48.52
    the house: fees 2.58 less interchange 0.51             net   +2.07   (sum: zero)
"""

from __future__ import annotations

import datetime as dt

import httpx

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock, ns_from_utc
from tests.api.test_funding_api import Served, post
from tests.api.test_partner_api import (
    ACQUIRER_SG,
    GCASH,
    create_partner,
    partner_merchant,
    partner_wallet,
)
from tests.api.test_payment_api import operator_headers, static_code
from tests.api.test_wallet_api import auth

TRUEMONEY = {"name": "TrueMoney-like Co", "brand": "TM", "country": "TH", "currency": "THB"}
MARIA, SOMCHAI = "+639171234567", "+66812345678"
DAY = dt.datetime(2026, 3, 14, tzinfo=dt.UTC)


def at(clock: ManualClock, moment: dt.datetime) -> None:
    clock.set_ns(ns_from_utc(moment))


def pay(client: httpx.Client, wallet: dict[str, object], code: str, amount: int, key: str,
        capture: bool = True) -> str:  # fmt: skip
    body = {"payload": code, "amount_minor": amount, "capture": capture}
    paid = post(client, "/v1/payments", auth(wallet), key, body)
    assert paid.status_code == 201, paid.text
    return str(paid.json()["id"])


def market(client: httpx.Client, ctx: ApiContext) -> dict[str, object]:
    """Three partners, two users, two merchants, as in the module's story."""
    a, as_a = create_partner(client, ctx, GCASH)
    b, as_b = create_partner(client, ctx, ACQUIRER_SG)
    c, as_c = create_partner(client, ctx, TRUEMONEY)
    maria = partner_wallet(client, as_a, MARIA)
    somchai = partner_wallet(client, as_c, SOMCHAI)
    for phone in (MARIA, SOMCHAI):
        assert ctx.wallets.cash_in(phone, "SGD", 500_00).result.name == "ok"
    hawker = partner_merchant(client, as_b, "Hawker Chan")
    gifts = partner_merchant(client, as_c, "Gift Shop", discount_bps=200)
    return {
        "a": a, "b": b, "c": c, "as_a": as_a, "as_b": as_b, "as_c": as_c,
        "maria": maria, "somchai": somchai, "hawker": hawker, "gifts": gifts,
    }  # fmt: skip


def the_day(client: httpx.Client, clock: ManualClock, m: dict[str, object]) -> dict[str, str]:
    hawker_code = static_code(client, m["hawker"])  # type: ignore[arg-type]
    gifts_code = static_code(client, m["gifts"])  # type: ignore[arg-type]
    maria, somchai = m["maria"], m["somchai"]
    at(clock, DAY.replace(hour=9))
    p1 = pay(client, maria, hawker_code, 25_00, "p1")  # type: ignore[arg-type]
    at(clock, DAY.replace(hour=12))
    p2 = pay(client, maria, gifts_code, 80_00, "p2")  # type: ignore[arg-type]
    p3 = pay(client, somchai, hawker_code, 40_00, "p3")  # type: ignore[arg-type]
    hawker_key = {"Authorization": f"Bearer {m['hawker']['api_key']}"}  # type: ignore[index]
    refund = post(client, f"/v1/payments/{p3}/refunds", hawker_key, "r1", {"amount_minor": 10_00})
    assert refund.status_code == 201, refund.text
    at(clock, DAY.replace(hour=23, minute=30))
    held = pay(client, maria, hawker_code, 12_00, "p5", capture=False)  # type: ignore[arg-type]
    return {"p1": p1, "p2": p2, "p3": p3, "r1": str(refund.json()["id"]), "held": held}


def lines_by_partner(report: dict[str, object]) -> dict[str, dict[str, object]]:
    lines = report["lines"]
    assert isinstance(lines, list)
    return {str(line.pop("partner")): line for line in lines}


def line(currency: str = "SGD", **amounts: int) -> dict[str, object]:
    names = (
        "payments_acquired", "gross_acquired_minor", "refunds_acquired_minor", "payments_issued",
        "gross_issued_minor", "refunds_issued_minor", "fees_minor", "interchange_minor",
        "fx_bought_minor", "fx_sold_minor", "net_minor",
    )  # fmt: skip
    return {"currency": currency} | {n: amounts.get(n, 0) for n in names}


def test_a_days_settlement_across_three_partners(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    m = market(client, ctx)
    ids = the_day(client, clock, m)
    a, b, c = (str(m[k]["id"]) for k in "abc")  # type: ignore[index]
    operator = operator_headers(ctx)
    got = client.get("/v1/settlements", params={"window": "2026-03-14"}, headers=operator)
    assert got.status_code == 200, got.text
    report = got.json()
    assert {k: report[k] for k in ("object", "window", "window_start", "window_end", "closed")} == {
        "object": "settlement",
        "window": "2026-03-14",
        "window_start": "2026-03-14T00:00:00+00:00",
        "window_end": "2026-03-15T00:00:00+00:00",
        "closed": False,  # it is still 23:30 on the day
    }
    expected = {
        a: line(payments_issued=2, gross_issued_minor=105_00, interchange_minor=39,
                net_minor=-104_61),
        b: line(payments_acquired=2, gross_acquired_minor=65_00, refunds_acquired_minor=10_00,
                fees_minor=98, net_minor=54_02),
        c: line(payments_acquired=1, gross_acquired_minor=80_00, fees_minor=160,
                payments_issued=1, gross_issued_minor=40_00, refunds_issued_minor=10_00,
                interchange_minor=12, net_minor=48_52),
        "colony": line(net_minor=2_07),
    }  # fmt: skip
    assert lines_by_partner(report) == expected
    assert sum(int(str(v["net_minor"])) for v in expected.values()) == 0  # netting conserves

    # A partner sees its own line alone; the CSV holds the same numbers.
    own = client.get("/v1/settlements", params={"window": "2026-03-14"}, headers=m["as_b"])
    assert own.status_code == 200 and lines_by_partner(own.json()) == {b: expected[b]}
    at(clock, DAY + dt.timedelta(days=1))
    assert client.get("/v1/settlements?window=2026-03-14", headers=operator).json()["closed"]
    as_csv = client.get("/v1/settlements/2026-03-14.csv", headers=m["as_c"])
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text == (
        "window,partner_id,currency,payments_acquired,gross_acquired_minor,"
        "refunds_acquired_minor,payments_issued,gross_issued_minor,refunds_issued_minor,"
        "fees_minor,interchange_minor,fx_bought_minor,fx_sold_minor,net_minor\n"
        f"2026-03-14,{c},SGD,1,8000,0,1,4000,1000,160,12,0,0,4852\n"
    )
    everyone = client.get("/v1/settlements/2026-03-14.csv", headers=operator).text.splitlines()
    assert len(everyone) == 5 and everyone[1] == "2026-03-14,colony,SGD,0,0,0,0,0,0,0,0,0,0,207"

    # Captured the next morning, the authorisation is owed in the next day's window.
    at(clock, DAY + dt.timedelta(days=1, hours=8))
    hawker_key = {"Authorization": f"Bearer {m['hawker']['api_key']}"}  # type: ignore[index]
    captured = post(client, f"/v1/payments/{ids['held']}/capture", hawker_key, "c", {})
    assert captured.status_code == 200, captured.text
    next_day = client.get("/v1/settlements?window=2026-03-15", headers=operator).json()
    assert lines_by_partner(next_day)[b] == line(
        payments_acquired=1, gross_acquired_minor=12_00, fees_minor=18, net_minor=11_82
    )
    assert lines_by_partner(client.get("/v1/settlements?window=2026-03-14", headers=operator)
                            .json()) == expected  # fmt: skip

    # B reconciles its statement: one payment matches, one differs, the refund is missing
    # from the file, and the file names a payment the ledger does not hold.
    stranger = "pay_" + "ab" * 16
    statement = (
        "id,amount_minor,currency\n"
        f"{ids['p1']},2500,SGD\n"
        f"{ids['p3']},4100,SGD\n"
        f"{stranger},999,SGD\n"
    )
    reconciled = client.post(
        "/v1/settlements/2026-03-14/reconciliations",
        content=statement,
        headers=m["as_b"] | {"Idempotency-Key": "rec-1", "Content-Type": "text/csv"},  # type: ignore[operator]
    )
    assert reconciled.status_code == 200, reconciled.text
    assert reconciled.json() == {
        "object": "reconciliation",
        "partner": b,
        "window": "2026-03-14",
        "matched": [{"id": ids["p1"], "amount_minor": 25_00, "currency": "SGD"}],
        "missing_from_statement": [{"id": ids["r1"], "amount_minor": 10_00, "currency": "SGD"}],
        "missing_from_ledger": [{"id": stranger, "amount_minor": 999, "currency": "SGD"}],
        "different": [
            {
                "id": ids["p3"],
                "ledger": {"id": ids["p3"], "amount_minor": 40_00, "currency": "SGD"},
                "statement": {"id": ids["p3"], "amount_minor": 41_00, "currency": "SGD"},
            }
        ],
    }
    # The operator reconciles for any partner; a partner never for another.
    for headers, partner, status in (
        (operator, a, 200), (operator, "ptn_none", 404), (m["as_a"], b, 404), (operator, None, 400),
    ):  # fmt: skip
        answer = client.post(
            "/v1/settlements/2026-03-14/reconciliations",
            params={"partner": partner} if partner else {},
            content=statement,
            headers=headers | {"Idempotency-Key": f"rec-{partner}-{status}"},  # type: ignore[operator]
        )
        assert answer.status_code == status, answer.text
    for_a = client.post(
        "/v1/settlements/2026-03-14/reconciliations",
        params={"partner": a},
        content=f"id,amount_minor,currency\n{ids['p1']},2500,SGD\n{ids['p2']},8000,SGD\n",
        headers=operator | {"Idempotency-Key": "rec-a"},
    ).json()
    assert [e["id"] for e in for_a["matched"]] == [ids["p1"], ids["p2"]]
    assert for_a["missing_from_statement"] == for_a["different"] == []


def test_the_window_ends_at_midnight_utc(served_at_each_backend: Served) -> None:
    client, ctx, clock = served_at_each_backend
    m = market(client, ctx)
    code = static_code(client, m["hawker"])  # type: ignore[arg-type]
    at(clock, DAY.replace(hour=23, minute=59, second=59, microsecond=999_000))
    before = pay(client, m["maria"], code, 1_00, "before")  # type: ignore[arg-type]
    at(clock, DAY + dt.timedelta(days=1))
    after = pay(client, m["maria"], code, 2_00, "after")  # type: ignore[arg-type]
    operator = operator_headers(ctx)
    b = str(m["b"]["id"])  # type: ignore[index]
    for window, expected in (("2026-03-14", 1_00), ("2026-03-15", 2_00), ("2026-03-13", None)):
        report = client.get("/v1/settlements", params={"window": window}, headers=operator)
        got = lines_by_partner(report.json()).get(b, {}).get("gross_acquired_minor")
        assert got == expected, window
    for window, paid in (("2026-03-14", before), ("2026-03-15", after)):
        reconciled = client.post(
            f"/v1/settlements/{window}/reconciliations",
            content=f"id,amount_minor,currency\n{paid},{1_00 if paid == before else 2_00},SGD\n",
            headers=m["as_b"] | {"Idempotency-Key": f"r-{window}"},  # type: ignore[operator]
        ).json()
        assert [e["id"] for e in reconciled["matched"]] == [paid], reconciled


def test_bad_windows_and_statements_are_refused_naming_what_is_wrong(
    served_at: Served,
) -> None:
    client, ctx, _ = served_at
    operator = operator_headers(ctx)
    b, as_b = create_partner(client, ctx, ACQUIRER_SG)
    for window in ("2026-3-14", "14/03/2026", "2026-02-30", "2026-03-14T06", "x" * 40):
        refused = client.get("/v1/settlements", params={"window": window}, headers=operator)
        assert refused.status_code == 400, window
        assert refused.json()["error"]["param"] == "window", refused.text
    header = "id,amount_minor,currency\n"
    good_id = "pay_" + "0" * 31 + "1"
    for n, (body, message) in enumerate(
        (
            ("", "the file is empty"),
            ("id,amount\n", "statement line 1: the header lacks column(s) amount_minor, currency"),
            (header + "pay_12,100,SGD\n", "statement line 2: id must be pay_ or re_"),
            (header + f"{good_id},1.50,SGD\n", "statement line 2: amount_minor must be a positive"),
            (header + f"{good_id},0,SGD\n", "statement line 2: amount_minor must be a positive"),
            (header + f"\n{good_id},100,SGX\n", "statement line 3: currency must be an ISO 4217"),
            (header + f"{good_id},100\n", "statement line 2: 2 fields, the header has 3"),
            (header + f"{good_id},100,SGD\n{good_id},100,SGD\n", "statement line 3: id pay_"),
            (header + f'"{"1" * 140_000}",1,SGD\n', "statement line 2: field larger than"),
        )
    ):
        refused = client.post(
            "/v1/settlements/2026-03-14/reconciliations",
            content=body,
            headers=as_b | {"Idempotency-Key": f"bad-{n}", "Content-Type": "text/csv"},
        )
        assert refused.status_code == 400, body
        assert refused.json()["error"]["code"] == "statement_invalid"
        assert message in refused.json()["error"]["message"], refused.text
    assert b["id"]
