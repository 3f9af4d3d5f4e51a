"""How mail leaves Colony: the `EmailSender` interface, and its default, the operator's email
outbox (as `sms.py` is for texts).

A deployment plugs in its mail service (SMTP relay, a provider's API) as an `EmailSender`.
The default keeps every message in the email outbox, which the console shows
(`/console/email`), and logs that it was queued with the address masked and never the text.
"""

from __future__ import annotations

import logging
from typing import Protocol

from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.phones.model import EmailMessage
from colony.phones.store import EmailOutboxStore

logger = logging.getLogger("colony.email")
# Characters of the address's local part shown in the log.
logged_local_chars = 2


class EmailSender(Protocol):
    def send(self, address: str, subject: str, text: str) -> None:
        """Hand the message to whatever delivers it to `address`; raises if it cannot."""


def masked(address: str) -> str:
    """`an***@example.com`: enough to tell two messages apart in a log, not to read who."""
    local, _, domain = address.partition("@")
    return f"{local[:logged_local_chars]}***@{domain}"


class EmailOutboxSender:
    """The default sender: each message a row of the email outbox, and a line in the log."""

    def __init__(self, store: EmailOutboxStore, clock: Clock, ids: IdGenerator) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids

    def send(self, address: str, subject: str, text: str) -> None:
        message = EmailMessage(
            f"eml_{self._ids.new_id():032x}", address, subject, text, self._clock.now_ns()
        )
        self._store.add_email(message)
        logger.info("Email %s to %s is in the outbox", message.id, masked(address))
