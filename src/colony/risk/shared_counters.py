"""Risk control's counters held by the ledger's writer for every worker (docs/adr/0068).

With `colony serve --workers N` each worker used to count what it saw: a wallet's payments
spread over N processes, so a velocity rule saw about one in N of them. Now the writer's
process holds the one `FeatureStore` and every worker asks it over the writer's socket, as
Idempotency-Key claims are held (docs/adr/0037): `counter_calls` names the calls the writer
answers, `SharedCounters` asks them. The workers layer knows only names and callables; risk
control's types cross the socket pickled, between processes of one `colony serve`.

A check reads and counts in one call (one round trip); what happens after the money moved
(paid, refunded, complained of) is sent without waiting. If the writer cannot be reached,
reading raises and the check's fallback rules decide (docs/adr/0055); a count that could
not be sent is logged and lost. A writer that takes over starts its counters afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, cast

from colony.risk.features import FeatureStore
from colony.risk.model import Features, RiskEvent

_log = logging.getLogger(__name__)

READ_AND_OBSERVE = "risk_read_and_observe"
FEATURES = "risk_features"
OBSERVE_SUCCESS = "risk_observe_success"
OBSERVE_REFUND = "risk_observe_refund"
OBSERVE_COMPLAINT = "risk_observe_complaint"


def counter_calls(store: FeatureStore) -> dict[str, Callable[..., Any]]:
    """The calls the writer answers from `store`, by name."""
    return {
        READ_AND_OBSERVE: store.read_and_observe,
        FEATURES: store.features,
        OBSERVE_SUCCESS: store.observe_success,
        OBSERVE_REFUND: store.observe_refund,
        OBSERVE_COMPLAINT: store.observe_complaint,
    }


class SharedCounters:
    """`FeatureStore`'s calls, answered by whoever writes the ledger: `call` waits for the
    answer, `send` does not."""

    def __init__(self, call: Callable[..., Any], send: Callable[..., Future[Any]]) -> None:
        self._call = call
        self._send = send

    def read_and_observe_later(self, event: RiskEvent) -> Future[Features]:
        # The answer awaited where it is needed: a follower's event loop goes on serving
        # other requests while the writer's process answers this one.
        return cast("Future[Features]", self._send(READ_AND_OBSERVE, event))

    def features(self, event: RiskEvent) -> Features:
        return cast(Features, self._call(FEATURES, event))

    def observe_success(self, event: RiskEvent) -> None:
        self._sent(OBSERVE_SUCCESS, event)

    def observe_refund(self, wallet_id: str, merchant_id: str, at_ns: int) -> None:
        self._sent(OBSERVE_REFUND, wallet_id, merchant_id, at_ns)

    def observe_complaint(self, merchant_id: str) -> None:
        self._sent(OBSERVE_COMPLAINT, merchant_id)

    def _sent(self, name: str, *args: Any) -> None:
        def logged(answer: Future[Any]) -> None:
            if answer.exception() is not None:
                _log.warning("risk counters: %s not counted: %s", name, answer.exception())

        self._send(name, *args).add_done_callback(logged)
