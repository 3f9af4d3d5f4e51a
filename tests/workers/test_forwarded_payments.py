"""A follower's QR payment served whole by the ledger's writer (docs/adr/0078): two workers
over one database, each served on loopback; the follower answers every payment, refusal and
replay exactly as the writer does, and the money moves once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path

import httpx
import pytest

from colony.api import forwarded_payments
from colony.api.app import _gather_max_now
from colony.api.context import ApiContext
from colony.api.forwarded_payments import PaymentForwarding
from colony.api.gather import forwarded_gather_max, payment_gather_max
from colony.cli.serve import build_context
from colony.kernel.clock import SystemClock
from colony.kernel.errors import StorageUnavailable
from colony.workers import ElectedLedger
from tests.api.test_payment_api import onboard, static_code
from tests.api.test_wallet_api import auth, on_loopback, open_wallet
from tests.workers.test_elected_ledger import SECRET, _eventually, address

__all__ = ["address"]  # the workers' fixture: a short private path for the writer's socket

ALICE = "+6591234567"
# Headers a server sets on its own, that differ between two servers by nature.
_OWN_HEADERS = {"date", "server"}

Workers = tuple[httpx.Client, ApiContext, httpx.Client, ApiContext]


@pytest.fixture
def two_workers(store_url: str, address: str) -> Iterator[Workers]:
    """The writer and a follower on one database, as `colony serve --workers 2` has them, on
    each backend (PostgreSQL's payments run on threads of the pool, SQLite's on the loop)."""
    with served_workers(store_url, address) as workers:
        yield workers


@contextmanager
def served_workers(url: str, address: str, gather_s: float | None = None) -> Iterator[Workers]:
    """`two_workers`; `gather_s`: how long each one's gate gathers payments, and how far
    apart two may arrive and still be gathered (the default's otherwise)."""
    clock = SystemClock()
    with ExitStack() as stack:
        contexts = []
        for _ in range(2):
            ledger = ElectedLedger(url, clock, address=address, authkey=SECRET)
            contexts.append(build_context(url, clock, ledger=ledger))
            if gather_s is not None:
                contexts[-1].payment_gather_s = contexts[-1].payment_together_s = gather_s
        writer_ctx, follower_ctx = contexts
        writer = stack.enter_context(on_loopback(writer_ctx))
        follower = stack.enter_context(on_loopback(follower_ctx))  # closed first
        yield writer, writer_ctx, follower, follower_ctx


def _forwarding(ctx: ApiContext) -> PaymentForwarding:
    assert ctx.forwarding is not None
    return ctx.forwarding


def _available(client: httpx.Client, wallet: dict[str, object]) -> int:
    me = client.get("/v1/wallets/me", headers=auth(wallet))
    assert me.status_code == 200, me.text
    return int(me.json()["available"]["amount_minor"])  # the balance less what is held


def _same(writer: httpx.Response, follower: httpx.Response) -> None:
    assert follower.status_code == writer.status_code, follower.text
    assert follower.content == writer.content
    assert {k: v for k, v in follower.headers.items() if k not in _OWN_HEADERS} == {
        k: v for k, v in writer.headers.items() if k not in _OWN_HEADERS
    }


def test_a_followers_payments_are_served_by_the_writer_as_its_own(two_workers: Workers) -> None:
    writer, writer_ctx, follower, follower_ctx = two_workers
    assert _forwarding(follower_ctx).follows and not _forwarding(writer_ctx).follows
    merchant = onboard(writer, writer_ctx)
    code = static_code(writer, merchant)
    alice = open_wallet(writer, ALICE)
    assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"
    before = _available(writer, alice)

    def pay(client: httpx.Client, key: str, **body: object) -> httpx.Response:
        headers = auth(alice) | {"Idempotency-Key": key}
        return client.post(
            "/v1/payments", json={"payload": code, "amount_minor": 300} | body, headers=headers
        )

    made = pay(follower, "f-1")
    assert made.status_code == 201, made.text
    assert _forwarding(writer_ctx).served == 1
    # The same request again, through either worker: the first answer, money moved once.
    _same(pay(writer, "f-1"), pay(follower, "f-1"))
    assert pay(writer, "f-1").json() == made.json()
    shown = writer.get(f"/v1/payments/{made.json()['id']}", headers=auth(alice))
    assert shown.status_code == 200 and shown.json()["amount_minor"] == 300
    assert _available(follower, alice) == before - 300

    # Refusals, each made once through each worker with keys of its own: the same answers.
    for name, body in {
        "insufficient": {"amount_minor": 10**9},
        "bad-qr": {"payload": "000201"},
        "held": {"capture": False, "amount_minor": 100},
    }.items():
        by_writer = pay(writer, f"w-{name}", **body)
        by_follower = pay(follower, f"f-{name}", **body)
        assert by_follower.status_code == by_writer.status_code, by_follower.text
        if by_writer.status_code >= 400:
            _same(by_writer, by_follower)
    # The key of one payment sent with another body: refused alike by both.
    _same(pay(writer, "f-1", amount_minor=301), pay(follower, "f-1", amount_minor=301))
    # No Idempotency-Key at all: refused alike.
    no_key = {"payload": code, "amount_minor": 1}
    _same(
        writer.post("/v1/payments", json=no_key, headers=auth(alice)),
        follower.post("/v1/payments", json=no_key, headers=auth(alice)),
    )
    # Every request the follower took crossed to the writer: the payment, its replay, three
    # refusals or holds, the reused key and the missing one.
    assert _forwarding(writer_ctx).served == 7
    # The payment, and the holds made through each worker.
    assert _available(writer, alice) == before - 300 - 2 * 100


def test_a_shared_call_may_answer_a_future(tmp_path: Path, address: str) -> None:
    """The writer's socket answers a handler's future when it is done, its failure as its
    kind: what a payment served on the writer's loop needs. A cancelled future, or a name the
    writer does not share yet, is answered as the storage being unavailable (retry)."""
    url = f"sqlite:///{tmp_path}/shared.db"
    clock = SystemClock()
    writer = ElectedLedger(url, clock, address=address, authkey=SECRET)
    follower = ElectedLedger(url, clock, address=address, authkey=SECRET)
    try:
        pending: list[Future[str]] = []

        def later(value: str) -> Future[str]:
            future: Future[str] = Future()
            pending.append(future)
            return future

        writer.share({"later": later})
        follower.share({"later": later})
        answered = follower.shared_call_later("later", "a")
        broken = follower.shared_call_later("later", "b")
        cancelled = follower.shared_call_later("later", "c")
        _eventually(lambda: len(pending) == 3)
        assert not answered.done()
        pending[0].set_result("done")
        pending[1].set_exception(StorageUnavailable("the database went away"))
        assert pending[2].cancel()  # the writer stopping
        assert answered.result(timeout=10) == "done"
        with pytest.raises(StorageUnavailable, match="went away"):
            broken.result(timeout=10)
        with pytest.raises(StorageUnavailable, match="cancelled"):
            cancelled.result(timeout=10)
        with pytest.raises(StorageUnavailable, match="does not answer"):
            follower.shared_call_later("not_yet").result(timeout=10)
        # At the writer itself, the handler's own future is the answer, or is waited for.
        here = writer.shared_call_later("later", "d")
        pending[3].set_result("here")
        assert here.result(timeout=1) == "here"
        threading.Timer(0.05, lambda: pending[4].set_result("waited")).start()
        assert writer.shared_call("later", "e") == "waited"
    finally:
        follower.close()
        writer.close()


def test_a_followers_gathering_opens_at_sixteen_the_writers_waits_its_moment(
    store_url: str, address: str
) -> None:
    """Sixteen payments arriving together through the follower go on at once; through the
    writer (or a lone server) they wait the gathering's moment, which 64 would cut short
    (docs/adr/0104). Each batch follows one payment that went through alone."""
    gather_s = 3.0  # the moment, and how far apart two may arrive and still be gathered
    with served_workers(store_url, address, gather_s=gather_s) as workers:
        writer, writer_ctx, follower, follower_ctx = workers
        assert _gather_max_now(follower_ctx) == forwarded_gather_max < payment_gather_max
        assert _gather_max_now(writer_ctx) == payment_gather_max
        merchant = onboard(writer, writer_ctx)
        code = static_code(writer, merchant)
        alice = open_wallet(writer, ALICE)
        assert writer_ctx.wallets.cash_in(ALICE, "SGD", 10_000).result.name == "ok"

        def pay(client: httpx.Client, key: str) -> httpx.Response:
            headers = auth(alice) | {"Idempotency-Key": key}
            return client.post(
                "/v1/payments", json={"payload": code, "amount_minor": 10}, headers=headers
            )

        def sixteen_together(client: httpx.Client, name: str) -> float:
            """Seconds for sixteen payments sent at once, after one alone."""
            assert pay(client, f"{name}-alone").status_code == 201
            started = time.monotonic()
            with ThreadPoolExecutor(forwarded_gather_max) as pool:
                keys = [f"{name}-{n}" for n in range(forwarded_gather_max)]
                answers = list(pool.map(partial(pay, client), keys))
            assert [a.status_code for a in answers] == [201] * len(keys), answers[0].text
            return time.monotonic() - started

        # Well inside the moment: a follower gathering to 64 would wait all of it.
        assert sixteen_together(follower, "follower") < gather_s * 0.8
        assert sixteen_together(writer, "writer") >= gather_s


class _QuietWriter:
    """A writer link that answers each forwarded payment only when the test says so."""

    claims_are_remote = True

    def __init__(self) -> None:
        self.calls: list[Future[object]] = []

    def share(self, handlers: object) -> None:
        pass

    def shared_call_later(self, name: str, *args: object) -> Future[object]:
        answer: Future[object] = Future()
        self.calls.append(answer)
        return answer


def test_a_follower_relays_the_answer_and_gives_up_after_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = _QuietWriter()
    forwarding = PaymentForwarding(writer)
    wallet = object()

    async def answered_from_another_thread() -> tuple[int, bytes]:
        paying = asyncio.ensure_future(forwarding.pay(wallet, "k1", {}, "sha"))  # type: ignore[arg-type]
        while not writer.calls:
            await asyncio.sleep(0)
        threading.Timer(
            0.05, writer.calls[0].set_result, ((201, [(b"x-colony", b"1")], b"{}"),)
        ).start()
        response = await paying
        return response.status_code, bytes(response.body)

    assert asyncio.run(answered_from_another_thread()) == (201, b"{}")

    monkeypatch.setattr(forwarded_payments, "forward_timeout_s", 0.05)

    async def never_answered() -> None:
        await forwarding.pay(wallet, "k2", {}, "sha")  # type: ignore[arg-type]

    with pytest.raises(StorageUnavailable, match="did not answer in"):
        asyncio.run(never_answered())
    # Given up waiting, not cancelled: should the payment be made after all, it is made whole.
    assert not writer.calls[1].cancelled() and not writer.calls[1].done()
