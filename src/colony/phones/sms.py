"""How texts leave Colony: the `SmsSender` interface, and its default, the operator's outbox.

A deployment plugs in its SMS gateway as an `SmsSender`. The default keeps every message in
the outbox table, which the operator reads (`GET /v1/sms_outbox`), and logs that a message
was queued, so the whole flow works on one machine. The log line carries the message id and
the number's last digits but not its text: a one-time code is a credential for ten minutes,
and server logs are read by more people, and kept longer, than the operator's console.
"""

from __future__ import annotations

import logging
from typing import Protocol

from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.phones.model import SmsMessage
from colony.phones.store import OutboxStore

logger = logging.getLogger("colony.sms")
# Digits of the number shown in the log.
logged_phone_digits = 3


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand `text` to whatever delivers it to `phone`; raises if it cannot."""


class OutboxSender:
    """The default sender: each message a row of the outbox, and a line in the log."""

    def __init__(self, store: OutboxStore, clock: Clock, ids: IdGenerator) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids

    def send(self, phone: str, text: str) -> None:
        message = SmsMessage(f"sms_{self._ids.new_id():032x}", phone, text, self._clock.now_ns())
        self._store.add_message(message)
        masked = "*" * (len(phone) - logged_phone_digits) + phone[-logged_phone_digits:]
        logger.info("SMS %s to %s is in the outbox", message.id, masked)
