"""`colony bench in-process`: payments through the served app's ASGI callable in this process,
on its own event loop, with no HTTP and no sockets: what Colony's own code costs a payment,
every thread of the process included, and what the event loop's thread alone costs.

Payments are sent saturated (`in_flight` at once) or paced at `rate` a second, evenly or in
bursts of `burst`: the same payments arriving alone or together (docs/adr/0089). The
database is new (a temporary SQLite file unless given), seeded as `colony bench api` seeds
it, and served as `colony serve` serves it: its duties started, one address allowed the
benchmark's rate, the payment gate at `gather_s`.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import uvloop

from colony.api.app import served_app
from colony.api.rate_limit import RateLimiter
from colony.bench import api_bench
from colony.cli.serve import build_context, server_duties
from colony.workers import ElectedLedger

# The longest a run may take, in seconds: a stuck payment ends it with an error.
run_timeout_s = 600.0

Asgi = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class InProcessResult:
    payments: int
    seconds: float
    rate: float  # payments answered a second
    statuses: dict[str, int]
    cpu_ms_per_payment: float  # every thread of this process
    loop_cpu_ms_per_payment: float  # the event loop's thread alone

    def as_json(self) -> dict[str, object]:
        return {
            "payments": self.payments,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "statuses": self.statuses,
            "cpu_ms_per_payment": round(self.cpu_ms_per_payment, 3),
            "loop_cpu_ms_per_payment": round(self.loop_cpu_ms_per_payment, 3),
        }


def run(
    url: str,
    *,
    payments: int,
    warmup: int,
    in_flight: int,
    rate: float,
    burst: int,
    wallets: int,
    gather_s: float,
) -> InProcessResult:
    """`warmup` payments first, not counted, then `payments` measured (`rate` 0: saturated)."""
    ctx = build_context(url)
    try:
        ledger = ctx.ledger
        assert isinstance(ledger, ElectedLedger)  # build_context's, as `colony serve`'s
        server_duties(ctx, ledger)
        seeded = api_bench.seed(ctx, wallets)
        top = api_bench.bench_address_rate_per_s
        ctx.address_limiter = RateLimiter(ctx.clock, top, 2 * top)
        ctx.payment_gather_s = gather_s
        edge = served_app(ctx)
        body = json.dumps({"payload": seeded.payload, "amount_minor": api_bench.payment_minor})
        pay = _payer(edge, seeded.wallet_tokens, body.encode())
        loop = uvloop.new_event_loop()
        try:
            send = _sender(pay, in_flight, rate, burst)
            loop.run_until_complete(asyncio.wait_for(send(0, warmup), run_timeout_s))
            cpu, thread_cpu, started = time.process_time(), time.thread_time(), time.perf_counter()
            statuses = loop.run_until_complete(
                asyncio.wait_for(send(warmup, payments), run_timeout_s)
            )
            seconds = time.perf_counter() - started
            cpu, thread_cpu = time.process_time() - cpu, time.thread_time() - thread_cpu
        finally:
            loop.close()
    finally:
        ctx.ledger.close()
        ctx.close_stores()
    return InProcessResult(
        payments,
        seconds,
        payments / seconds,
        {str(k): v for k, v in sorted(statuses.items())},
        1000 * cpu / payments,
        1000 * thread_cpu / payments,
    )


def _payer(edge: Asgi, tokens: list[str], body: bytes) -> Callable[[int], Awaitable[int]]:
    """Payment `n` through the app, paid by the `n`th wallet in turn: its answer's status."""

    async def pay(n: int) -> int:
        headers = [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {tokens[n % len(tokens)]}".encode()),
            (b"idempotency-key", f"in-process-{n}".encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/payments",
            "raw_path": b"/v1/payments",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 40_000 + n % 20_000),
            "server": ("127.0.0.1", 8000),
        }
        sent = False
        disconnected = asyncio.Event()
        status: list[int] = []

        async def receive() -> dict[str, object]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()  # never: the client stays until it has its answer
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(str(message["status"])))

        await edge(scope, receive, send)
        return status[0]

    return pay


def _sender(
    pay: Callable[[int], Awaitable[int]], in_flight: int, rate: float, burst: int
) -> Callable[[int, int], Awaitable[collections.Counter[int]]]:
    async def send(first: int, count: int) -> collections.Counter[int]:
        statuses: collections.Counter[int] = collections.Counter()
        slots = asyncio.Semaphore(in_flight)

        async def one(n: int) -> None:
            async with slots:
                statuses[await pay(n)] += 1

        if rate <= 0:
            await asyncio.gather(*(one(first + i) for i in range(count)))
            return statuses
        loop = asyncio.get_running_loop()
        start, tasks = loop.time(), []
        for i in range(count):
            due = start + (i // burst) * burst / rate  # a burst's payments leave together
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
            tasks.append(asyncio.ensure_future(one(first + i)))
        await asyncio.gather(*tasks)
        return statuses

    return send
