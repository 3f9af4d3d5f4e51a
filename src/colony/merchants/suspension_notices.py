"""Texts a merchant's owners get when the operator suspends their shop or reinstates it
(docs/adr/0114): a suspension stops their takings, so they hear of it from Colony at once,
not from their customers. Sent through the server's `SmsSender` (the outbox by default), in
English, as Colony's other texts are; the staff's reason stays in the audit log."""

from __future__ import annotations

from collections.abc import Callable

from colony.merchants.model import Merchant
from colony.merchants.user_service import MerchantUserService

SUSPENDED_TEXT = (
    "Colony: {name} is suspended and cannot take payments now. Refunds still reach your"
    " customers. Ask Colony's support why."
)
REINSTATED_TEXT = "Colony: {name} can take payments again."


class SuspensionNotices:
    def __init__(self, users: MerchantUserService, send: Callable[[str, str], None]) -> None:
        """`send(phone, text)`: the server's SMS sender."""
        self._users = users
        self._send = send

    def tell_owners(self, merchant: Merchant, *, suspended: bool) -> int:
        """Text each of the merchant's owners that it is suspended, or reinstated; how many
        were texted."""
        text = (SUSPENDED_TEXT if suspended else REINSTATED_TEXT).format(name=merchant.display_name)
        owners = [user for user in self._users.of_merchant(merchant.id) if user.is_owner]
        for owner in owners:
            self._send(owner.phone, text)
        return len(owners)
