"""`colony bench in-process`: payments through the served app's ASGI callable in this process,
on its own event loop, with no HTTP and no sockets: what Colony's own code costs a payment,
every thread of the process included, and what the event loop's thread alone costs.

Payments are sent saturated (`in_flight` at once) or paced at `rate` a second, evenly or in
bursts of `burst`: the same payments arriving alone or together (docs/adr/0089). The command
(cli/bench_commands.py) makes the database new, in a temporary folder, seeds it as `colony
bench api` seeds it, and serves it as `colony serve` does: its duties started, one address
allowed the benchmark's rate, the payment gate as asked.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import uvloop

from colony.bench import api_bench

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
    edge: Asgi,
    seeded: api_bench.Seeded,
    *,
    payments: int,
    warmup: int,
    in_flight: int,
    rate: float,
    burst: int,
) -> InProcessResult:
    """`warmup` payments first, not counted, then `payments` measured (`rate` 0: saturated),
    through `edge` (the served app, `colony serve`'s) paying `seeded`'s merchant."""
    body = json.dumps({"payload": seeded.payload, "amount_minor": api_bench.payment_minor})
    pay = _payer(edge, seeded.wallet_tokens, body.encode())
    loop = uvloop.new_event_loop()
    try:
        send = _sender(pay, in_flight, rate, burst)
        loop.run_until_complete(asyncio.wait_for(send(0, warmup), run_timeout_s))
        cpu, thread_cpu, started = time.process_time(), time.thread_time(), time.perf_counter()
        statuses = loop.run_until_complete(asyncio.wait_for(send(warmup, payments), run_timeout_s))
        seconds = time.perf_counter() - started
        cpu, thread_cpu = time.process_time() - cpu, time.thread_time() - thread_cpu
    finally:
        loop.close()
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
        scope = payment_scope(body, tokens[n % len(tokens)], f"in-process-{n}", 40_000 + n % 20_000)
        status: list[int] = []

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(str(message["status"])))

        await edge(scope, body_once(body), send)
        return status[0]

    return pay


def body_once(body: bytes) -> Callable[[], Awaitable[dict[str, object]]]:
    """An ASGI `receive` giving the request's `body` whole, then waiting as a client that
    never goes away."""
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.get_running_loop().create_future()
        raise AssertionError("unreachable")

    return receive


def payment_scope(body: bytes, token: str, key: str, client_port: int) -> dict[str, Any]:
    """The ASGI scope of `POST /v1/payments` with `body`, paid by the wallet of `token` under
    Idempotency-Key `key`, as a loopback client's."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/payments",
        "raw_path": b"/v1/payments",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"authorization", f"Bearer {token}".encode()),
            (b"idempotency-key", key.encode()),
        ],
        "client": ("127.0.0.1", client_port),
        "server": ("127.0.0.1", 8000),
    }


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
