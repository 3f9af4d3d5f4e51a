"""The outbox relay: turn committed ledger changes into events, then deliver them, signed.

Money never waits on a webhook. The ledger's journal is the outbox: a payment is committed
once, and its event is derived afterwards from the durable ledger (the merchant's account
statement, read after the endpoint's watermark). The events and the new watermark are stored
in one transaction, so a crash between the two steps loses nothing and doubles nothing.
Delivery then tries each event until the endpoint answers 2xx, backing off exponentially, for
a bounded number of attempts; every attempt is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from colony.kernel import lock_order
from colony.kernel.clock import NS_PER_S, Clock
from colony.ledger import LedgerPort
from colony.merchants import HEADER, Merchant, sign
from colony.webhooks.events import events_for
from colony.webhooks.model import Attempt, Endpoint, Event, EventStatus
from colony.webhooks.store import WebhookStore

_log = logging.getLogger("colony.webhooks")

# Ledger changes read per endpoint per pass, in statement lines.
feed_page_max = 500
# Events delivered per pass, across all endpoints.
delivery_batch_max = 100
# Attempts per event before it is marked failed.
attempts_max = 8
# The wait before the second attempt, in seconds; it doubles after each failure, up to the cap.
retry_first_s = 10
retry_cap_s = 3_600
# How long one delivery may take before it counts as failed, in seconds.
delivery_timeout_s = 10.0
# How often the background relay looks for new changes, in seconds.
poll_interval_s = 0.5


@dataclass(frozen=True)
class Answer:
    """What an endpoint said to a delivery."""

    status_code: int | None  # None: no HTTP answer (refused, timed out, bad address)
    error: str = ""


# Posts (url, body, headers) and reports the answer; never raises for a network failure.
Sender = Callable[[str, bytes, dict[str, str]], Answer]


def retry_delay_s(failed_attempts: int) -> int:
    """Wait after the n-th failed attempt: 10 s, 20 s, 40 s, ... up to an hour."""
    return int(min(retry_cap_s, retry_first_s * 2 ** (failed_attempts - 1)))


class WebhookDispatcher:
    def __init__(
        self,
        ledger: LedgerPort,
        merchant_by_id: Callable[[str], Merchant | None],
        store: WebhookStore,
        clock: Clock,
        send: Sender,
    ) -> None:
        self._ledger = ledger
        self._merchant_by_id = merchant_by_id
        self._store = store
        self._clock = clock
        self._send = send
        self._lock = lock_order.lock("webhook pass")  # one pass at a time, whoever calls

    def collect(self) -> int:
        """Read every endpoint's new ledger changes into events. Returns events recorded."""
        recorded = 0
        for endpoint in self._store.endpoints():
            merchant = self._merchant_by_id(endpoint.merchant_id)
            if merchant is None:
                continue
            after = endpoint.after_timestamp
            while True:
                page = self._ledger.statement(
                    merchant.account_id, after_timestamp=after, limit=feed_page_max
                )
                if not page.lines:
                    break
                events = events_for(merchant, page.lines)
                after = page.lines[-1].timestamp
                self._store.add_events(merchant.id, events, after)
                recorded += len(events)
                if page.next_cursor is None:
                    break
        return recorded

    def deliver_due(self) -> int:
        """Try every event that is due. Returns how many were delivered."""
        due = self._store.due_events(self._clock.now_ns(), delivery_batch_max)
        if not due:
            return 0
        endpoints = {e.merchant_id: e for e in self._store.endpoints()}
        delivered = 0
        for event in due:
            endpoint = endpoints.get(event.merchant_id)
            if endpoint is not None and self._attempt(endpoint, event):
                delivered += 1
        return delivered

    def run_once(self) -> tuple[int, int]:
        with self._lock:
            return self.collect(), self.deliver_due()

    def run_in_background(self, stop: threading.Event) -> threading.Thread:
        def loop() -> None:
            while not stop.is_set():
                try:
                    self.run_once()
                except Exception:  # the relay outlives one bad pass (a locked database, say)
                    # Nothing is lost: the watermark only moves with the events it covers.
                    _log.exception("webhook pass failed; trying again")
                stop.wait(poll_interval_s)

        thread = threading.Thread(target=loop, name="colony-webhooks", daemon=True)
        thread.start()
        return thread

    def _attempt(self, endpoint: Endpoint, event: Event) -> bool:
        body = event.body.encode()
        now_ns = self._clock.now_ns()
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(body, [endpoint.secret.encode()], now_ns // NS_PER_S),
            "Colony-Event-Id": event.id,
        }
        started = time.monotonic()
        answer = self._send(endpoint.url, body, headers)
        duration_ms = int((time.monotonic() - started) * 1000)
        number = event.attempts + 1
        ok = answer.status_code is not None and 200 <= answer.status_code < 300
        error = "" if ok else answer.error or f"endpoint answered {answer.status_code}"
        if ok:
            status, next_at = EventStatus.delivered, 0
        elif number >= attempts_max:
            status, next_at = EventStatus.failed, 0
        else:
            status = EventStatus.pending
            next_at = now_ns + retry_delay_s(number) * NS_PER_S
        attempt = Attempt(event.id, number, now_ns, answer.status_code, error, duration_ms)
        self._store.record_attempt(attempt, status, next_at)
        return ok
