"""What a merchant is told when the operator suspends it or reinstates it (docs/adr/0114): a
suspension stops its takings, so its owners hear of it from Colony at once, not from their
customers, by a text through the server's `SmsSender` (the outbox by default), in English as
Colony's other texts are; and its systems by a webhook event, when it has an endpoint. The
staff's reason stays in the audit log."""

from __future__ import annotations

from collections.abc import Callable

from colony.merchants.model import Merchant
from colony.merchants.user_service import MerchantUserService

SUSPENDED_TEXT = (
    "Colony: {name} is suspended and cannot take payments now. Refunds still reach your"
    " customers. Ask Colony's support why."
)
REINSTATED_TEXT = "Colony: {name} can take payments again."
# How the merchant's systems are told: (merchant, suspended, when), the webhooks' announcer.
Announce = Callable[[Merchant, bool, int], None]


class SuspensionNotices:
    def __init__(
        self,
        users: MerchantUserService,
        send: Callable[[str, str], None],
        announce: Announce | None = None,
    ) -> None:
        """`send(phone, text)`: the server's SMS sender."""
        self._users = users
        self._send = send
        self._announce = announce

    def tell(self, merchant: Merchant, *, suspended: bool, at_ns: int) -> int:
        """Tell the merchant's systems and text each of its owners that it is suspended, or
        reinstated, at `at_ns`; how many owners were texted."""
        if self._announce is not None:
            self._announce(merchant, suspended, at_ns)
        text = (SUSPENDED_TEXT if suspended else REINSTATED_TEXT).format(name=merchant.display_name)
        owners = [user for user in self._users.of_merchant(merchant.id) if user.is_owner]
        for owner in owners:
            self._send(owner.phone, text)
        return len(owners)
