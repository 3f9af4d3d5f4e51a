"""The load generator of `colony bench festival`, run as its own process (`python -m ...`).

It reads a JSON plan on stdin (the `bench api` protocol), drives one step of the festival
open-loop at the step's rate and prints one JSON summary. Each operation of the mix is due at
start + i/rate and counted from that due time to its last answer; an operation that needs two
requests (a quote then the payment, a top-up then the bank's confirmation) makes them in turn
on one keep-alive connection, as an app would. An operation fails with the status of its first
answer that is not 2xx.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from typing import Any

from colony.bench.api_load import (
    Connection,
    Tally,
    _send,
    _summary,
    open_loop,
    percentile,
    run_plan,
)

# The kinds of operation the load generator can drive, by the name the plan's mix uses.
KINDS = ("qr_payment", "cross_border_payment", "p2p_transfer", "top_up", "refund")
# Payments a refund may be drawn from, the newest kept: a bound on the load generator's memory.
refundable_kept_max = 10_000


class Festival:
    """One step's operations: what each kind sends, with the answers later ones need."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.prefix = plan["key_prefix"]
        self.tokens: list[str] = plan["wallet_tokens"]
        self.phones: list[str] = plan["phones"]
        self.refundable: list[str] = []  # ids of payments made this step, not yet refunded

    async def run(self, conn: Connection, kind: str, i: int) -> tuple[str, str]:
        """The kind driven, and its status: its last answer's, or its first not 2xx."""
        if kind == "refund" and not self.refundable:
            kind = "qr_payment"  # nothing paid yet this step to give back
        return kind, await self._run(conn, kind, i)

    async def _run(self, conn: Connection, kind: str, i: int) -> str:
        wallet = {"Authorization": f"Bearer {self.tokens[i % len(self.tokens)]}"}
        amount = self.plan["amount_minor"]
        key = f"{self.prefix}-{i}"
        if kind == "qr_payment":
            body = {"payload": self.plan["payload"], "amount_minor": amount}
            status, answer = await self._post(conn, "/v1/payments", wallet, key, body)
            if status == "201" and len(self.refundable) < refundable_kept_max:
                self.refundable.append(json.loads(answer)["id"])
            return status
        if kind == "cross_border_payment":
            asked = {
                "sell_currency": self.plan["wallet_currency"],
                "buy_currency": self.plan["foreign_currency"],
                "buy_amount_minor": self.plan["foreign_amount_minor"],
            }
            status, answer = await self._post(conn, "/v1/fx/quotes", wallet, f"{key}-q", asked)
            if status != "201":
                return status
            body = {"payload": self.plan["foreign_payload"], "quote_id": json.loads(answer)["id"]}
            return (await self._post(conn, "/v1/payments", wallet, key, body))[0]
        if kind == "p2p_transfer":
            body = {"to_phone": self.phones[(i + 1) % len(self.phones)], "amount_minor": amount}
            return (await self._post(conn, "/v1/wallets/me/transfers", wallet, key, body))[0]
        if kind == "top_up":
            body = {"partner": self.plan["funding_partner"], "amount_minor": amount}
            status, answer = await self._post(conn, "/v1/wallets/me/top_ups", wallet, key, body)
            if status != "201":
                return status
            confirm = f"/v1/top_ups/{json.loads(answer)['id']}/confirm"
            operator = {"Authorization": f"Bearer {self.plan['operator_key']}"}
            return (await self._post(conn, confirm, operator, f"{key}-c", {}))[0]
        # A refund of half of an earlier payment, by the merchant that was paid.
        merchant = {"Authorization": f"Bearer {self.plan['merchant_key']}"}
        refunds = f"/v1/payments/{self.refundable.pop()}/refunds"
        return (await self._post(conn, refunds, merchant, key, {"amount_minor": amount // 2}))[0]

    @staticmethod
    async def _post(
        conn: Connection, path: str, headers: dict[str, str], key: str, body: dict[str, object]
    ) -> tuple[str, bytes]:
        return await _send(
            conn, path, headers | {"Idempotency-Key": key}, json.dumps(body).encode()
        )


async def festival(plan: dict[str, Any]) -> dict[str, object]:
    """One step: the mix's operations open-loop at `rate` a second for `duration_s`."""
    rate, duration_s = plan["rate"], plan["duration_s"]
    total = max(1, int(rate * duration_s))
    names = list(plan["mix"])
    kinds = random.Random(plan["seed"]).choices(names, [plan["mix"][n] for n in names], k=total)
    step = Festival(plan)
    tally = Tally()
    by_kind: defaultdict[str, Tally] = defaultdict(Tally)

    async def operate(conn: Connection, i: int, due: float) -> None:
        kind, status = await step.run(conn, kinds[i], i)
        done = time.perf_counter()
        tally.record(status, due, done)
        by_kind[kind].record(status, due, done)

    started = await open_loop(plan, total, rate, operate)
    ok = sum(n for status, n in tally.statuses.items() if status.startswith("2"))
    summary = _summary(tally, ok, max(tally.last_done - started, duration_s), rate)
    summary["by_kind"] = {kind: _kind_summary(kept) for kind, kept in sorted(by_kind.items())}
    return summary


def _kind_summary(kept: Tally) -> dict[str, Any]:
    latencies = sorted(kept.latencies_s)
    return {
        "operations": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "statuses": dict(sorted(kept.statuses.items())),
    }


if __name__ == "__main__":
    run_plan({"festival": festival})
