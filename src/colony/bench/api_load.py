"""The load generator of `colony bench api`, run as its own process (`python -m ...`).

It reads a JSON plan on stdin, drives the server over loopback and prints one JSON summary.
Payments are sent open-loop: request i is due at start + i/rate whether or not earlier ones
were answered, and its latency is counted from that due time, so time spent queueing (in this
process or the server) is part of it. Bulk batches are sent back to back, closed-loop: the
figure there is transfers a second. HTTP/1.1 keep-alive over raw asyncio streams: an HTTP
library's own cost would be taken from the two cores the server is measured on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

# How long one request may take before it counts as an error, in seconds.
request_timeout_s = 30.0


@dataclass
class Tally:
    # Each status's own latencies: the answers a server turned away at once (503
    # server_busy, docs/adr/0108) would otherwise hide how long the served ones took.
    latencies_by_status_s: dict[str, list[float]] = field(default_factory=dict)
    events_ok: int = 0
    last_done: float = 0.0

    @property
    def latencies_s(self) -> list[float]:
        """Every answer's latency, whatever its status (in no particular order)."""
        return [s for each in self.latencies_by_status_s.values() for s in each]

    @property
    def statuses(self) -> Counter[str]:
        """How many answers of each status."""
        return Counter({status: len(each) for status, each in self.latencies_by_status_s.items()})

    def record(self, status: str, since: float, done: float) -> None:
        self.latencies_by_status_s.setdefault(status, []).append(done - since)
        self.last_done = max(self.last_done, done)


class Connection:
    """One keep-alive HTTP/1.1 connection; reopened after any failure."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        try:
            status_and_headers = await reader.readuntil(b"\r\n\r\n")
            lines = status_and_headers.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in lines[1:]
                    if line.lower().startswith("content-length:")
                ),
                None,
            )
            if length is None:  # Colony's answers always carry their length
                raise ConnectionError("an answer without Content-Length")
            return status, await reader.readexactly(length)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _send(
    conn: Connection, path: str, headers: dict[str, str], body: bytes
) -> tuple[str, bytes]:
    try:
        status, answer = await asyncio.wait_for(
            conn.request(path, headers, body), request_timeout_s
        )
        return str(status), answer
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        return "connection_error", b""
    except TimeoutError:
        conn.close()
        return "timeout", b""


async def open_loop(
    plan: dict[str, Any],
    total: int,
    rate: float,
    handle: Callable[[Connection, int, float], Awaitable[None]],
) -> float:
    """Request i (of `total`) is due at start + i/rate and handed, with its due time, to
    whichever of the plan's `connections` workers is free; the start (perf_counter time)."""
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    started = time.perf_counter() + 0.05

    async def worker() -> None:
        conn = Connection(plan["host"], plan["port"])
        while (item := await queue.get()) is not None:
            await handle(conn, *item)
        conn.close()

    workers = [asyncio.create_task(worker()) for _ in range(plan["connections"])]
    for i in range(total):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, due))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return started


async def payments(plan: dict[str, Any]) -> dict[str, object]:
    """Open-loop payments at `rate` a second for `duration_s`, after a warm-up not counted."""
    rate, duration_s, warmup_s = plan["rate"], plan["duration_s"], plan["warmup_s"]
    tokens, payload, amount = plan["wallet_tokens"], plan["payload"], plan["amount_minor"]
    body = json.dumps({"payload": payload, "amount_minor": amount}).encode()
    warmup = int(rate * warmup_s)
    total = warmup + int(rate * duration_s)
    tally = Tally()

    async def pay(conn: Connection, i: int, due: float) -> None:
        headers = {
            "Authorization": f"Bearer {tokens[i % len(tokens)]}",
            "Idempotency-Key": f"bench-{i}",
        }
        status, _ = await _send(conn, "/v1/payments", headers, body)
        done = time.perf_counter()
        if i >= warmup:
            tally.record(status, due, done)

    started = await open_loop(plan, total, rate, pay)
    measured_from = started + warmup / rate
    ok = tally.statuses.get("201", 0)
    return _summary(tally, ok, max(tally.last_done - measured_from, duration_s), rate)


async def bulk(plan: dict[str, Any]) -> dict[str, object]:
    """Batches of `batch` transfers between `accounts` accounts, back to back, `in_flight` at
    once, for `duration_s`; the accounts are made first through the accounts batch."""
    headers = {"Authorization": f"Bearer {plan['operator_key']}"}
    ledger, count, batch = plan["ledger"], plan["accounts"], plan["batch"]
    rng = random.Random(plan["seed"])
    conn = Connection(plan["host"], plan["port"])
    first_account = 1_000_000
    for start in range(0, count, batch):
        ids = range(first_account + start, first_account + min(count, start + batch))
        body = json.dumps({"accounts": [{"id": i, "ledger": ledger, "code": 1} for i in ids]})
        status, answer = await _send(
            conn,
            "/v1/ledger/accounts/batch",
            headers | {"Idempotency-Key": f"accounts-{start}"},
            body.encode(),
        )
        if status != "200":
            raise SystemExit(f"could not create the accounts: {status} {answer[:300]!r}")
    conn.close()
    tally = Tally()
    next_id = iter(range(1, 1 << 62))
    started = time.perf_counter()
    deadline = started + plan["duration_s"]

    def transfers_body() -> bytes:
        events = []
        for _ in range(batch):
            debit, credit = rng.sample(range(first_account, first_account + count), 2)
            events.append(
                f'{{"id":{next(next_id)},"debit_account_id":{debit},'
                f'"credit_account_id":{credit},"amount":1,"ledger":{ledger},"code":1}}'
            )
        return ('{"transfers":[' + ",".join(events) + "]}").encode()

    async def sender(n: int) -> None:
        conn = Connection(plan["host"], plan["port"])
        while time.perf_counter() < deadline:
            body = transfers_body()  # made before the clock starts for this request
            sent = time.perf_counter()
            status, answer = await _send(
                conn,
                "/v1/ledger/transfers/batch",
                headers | {"Idempotency-Key": f"transfers-{n}-{sent}"},
                body,
            )
            done = time.perf_counter()
            tally.record(status, sent, done)
            if status == "200":
                tally.events_ok += answer.count(b'"result":"ok"')
        conn.close()

    await asyncio.gather(*(sender(n) for n in range(plan["in_flight"])))
    elapsed = max(tally.last_done - started, 1e-9)
    summary = _summary(tally, tally.statuses.get("200", 0), elapsed, None)
    summary["transfers_per_second"] = round(tally.events_ok / elapsed)
    summary["transfers"] = tally.events_ok
    summary["batch"] = batch
    return summary


def _summary(tally: Tally, ok: int, elapsed_s: float, offered: float | None) -> dict[str, object]:
    latencies = sorted(tally.latencies_s)
    errors = sum(n for status, n in tally.statuses.items() if not status.startswith("2"))
    return {
        "offered_rate": offered,
        "achieved_rate": round(ok / elapsed_s, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round((latencies[-1] if latencies else 0.0) * 1000, 2),
        "errors": errors,
        "requests": len(latencies),
        "statuses": dict(sorted(tally.statuses.items())),
        "latency_ms_by_status": {
            status: {
                "p50": round(percentile(sorted(each), 0.50) * 1000, 2),
                "p99": round(percentile(sorted(each), 0.99) * 1000, 2),
            }
            for status, each in sorted(tally.latencies_by_status_s.items())
        },
        "seconds": round(elapsed_s, 3),
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile (0.0 for no values)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, -(-int(q * 1000) * len(sorted_values) // 1000) - 1))
    return sorted_values[index]


def run_plan(
    modes: dict[str, Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, object]]]],
) -> None:
    """Read a plan on stdin, run its mode on uvloop if installed, print the JSON summary."""
    plan = json.load(sys.stdin)
    loop_run: Callable[[Coroutine[Any, Any, dict[str, object]]], dict[str, object]] = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        loop_run = uvloop.run
    print(json.dumps(loop_run(modes[plan["mode"]](plan))))


def main() -> None:
    run_plan({"payments": payments, "bulk": bulk})


if __name__ == "__main__":
    main()
