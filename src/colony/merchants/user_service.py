"""A merchant's users: adding the owner (an operator, `colony merchants add-user`) and the
cashiers (the owner, in the portal), finding the user a phone number signs in as, and keeping
why each refund was made.

A phone number is one merchant user's at most: signing in starts from the number alone, and
which merchant it opens must not be a choice a stolen SIM could make. An owner who adds a
cashier whose number or address is another shop's is not told so (docs/adr/0115): the
cashier is kept as an invitation, listed as one who has not signed in yet, and the number's
holder is texted why they were not added; once the number and address are free, the number's
next sign-in makes the oldest such invitation that shop's cashier.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from colony.kernel.clock import Clock
from colony.kernel.ids import IdGenerator
from colony.merchants.model import Merchant
from colony.merchants.sql_user_store import SqlMerchantUserStore, users_per_merchant_max
from colony.merchants.users import (
    MerchantUser,
    RefundReason,
    Role,
    UserResult,
    email_chars_max,
    user_name_chars_max,
)

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# The least time between two texts to one number that shops tried to add, in nanoseconds: an
# owner adding and removing it in a loop texts it once a day.
invitation_text_interval_ns = 86_400 * 10**9
# What the holder of a number another shop tried to add is texted.
TAKEN_TEXT = (
    "Colony: {shop} tried to add you to its staff, but your number or email address already"
    " signs in to another shop, so you were not added. Ask {shop} to use another."
)
# Enough to refuse what cannot be an address; whether mail arrives is another matter.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class MerchantUserService:
    def __init__(
        self,
        store: SqlMerchantUserStore,
        merchant_of: Callable[[str], Merchant | None],
        clock: Clock,
        ids: IdGenerator,
        send: Callable[[str, str], None] | None = None,
    ) -> None:
        """`send(phone, text)`: the server's SMS sender, for `add_by_owner`'s notices."""
        self.store = store
        self._merchant_of = merchant_of
        self._clock = clock
        self._ids = ids
        self._send = send

    def add(
        self, merchant_id: str, phone: str, name: str, role: str, email: str | None = None
    ) -> tuple[UserResult, MerchantUser | None]:
        if self._merchant_of(merchant_id) is None:
            return UserResult.unknown_merchant, None
        if not _E164.fullmatch(phone):
            return UserResult.invalid_phone, None
        name = name.strip()
        if not 0 < len(name) <= user_name_chars_max or not name.isprintable():
            return UserResult.invalid_name, None
        email = (email or "").strip().lower() or None
        if email is not None and (len(email) > email_chars_max or not _EMAIL.fullmatch(email)):
            return UserResult.invalid_email, None
        if role not in Role.__members__:
            return UserResult.invalid_role, None
        user = MerchantUser(
            f"mus_{self._ids.new_id():032x}", merchant_id, phone, email, name, Role(role),
            self._clock.now_ns(),
        )  # fmt: skip
        if not self.store.add(user):
            taken = self.store.by_phone(phone) is not None
            return UserResult.phone_taken if taken else UserResult.email_taken, None
        return UserResult.ok, user

    def add_by_owner(
        self, merchant_id: str, phone: str, name: str, email: str | None = None
    ) -> UserResult:
        """A cashier the shop's owner adds in the portal. A number or address that is
        another shop's answers as a new one does (ok): the cashier is kept as an invitation,
        listed as waiting for a first sign-in as a new cashier is, and a number that is
        another shop's is texted why it was not added (at most once a day); the owner learns
        nothing of other shops (docs/adr/0115). One of this shop's own, a user's or an
        invitation's, is refused as taken (the owner's list shows it already); past
        `users_per_merchant_max` listed, every addition is refused alike."""
        listed = self.store.of_merchant(merchant_id) + self.store.invitations_of(merchant_id)
        if len(listed) >= users_per_merchant_max:
            return UserResult.too_many_staff
        address = (email or "").strip().lower()
        if any(kept.phone == phone for kept in listed):
            return UserResult.phone_taken  # this shop's own, or listed already
        if address and any(kept.email == address for kept in listed):
            return UserResult.email_taken
        result, _ = self.add(merchant_id, phone, name, Role.cashier.value, email)
        if result not in (UserResult.phone_taken, UserResult.email_taken):
            return result
        now = self._clock.now_ns()
        texted_lately = self.store.invited_since(phone, now - invitation_text_interval_ns)
        invited = MerchantUser(
            f"mus_{self._ids.new_id():032x}", merchant_id, phone, address or None, name.strip(),
            Role.cashier, now,
        )  # fmt: skip
        self.store.add_invitation(invited)
        # Only the holder of a number that is another shop's is told: a text to a number whose
        # address alone was taken would tell the owner, who may hold that number themself.
        if self._send is None or texted_lately or self.store.by_phone(phone) is None:
            return UserResult.ok
        merchant = self._merchant_of(merchant_id)
        if merchant is not None:
            self._send(phone, TAKEN_TEXT.format(shop=merchant.display_name))
        return UserResult.ok

    def invitation_waits(self, phone: str) -> bool:
        """Whether a shop's invitation waits for `phone`: one whose number and address sign
        in to no shop now (the shop that held them removed its user since)."""
        return self._waiting(phone) is not None

    def accept_invitation(self, phone: str) -> MerchantUser | None:
        """The holder of `phone`, proved, signs in for the first time since the shop that held
        the number let it go: the oldest invitation waiting for it (its address free too)
        makes them that shop's cashier as the owner typed them, under the invitation's id,
        so the owner's list shows the same row, now signed in (docs/adr/0115). None when
        none waits."""
        invited = self._waiting(phone)
        if invited is None:
            return None
        return self.store.accept_invitation(invited, self._clock.now_ns())

    def _waiting(self, phone: str) -> MerchantUser | None:
        # The oldest whose address is free too, or nothing: an invitation made a user
        # without its address (still another's) would show its owner whose address that is.
        if self.store.by_phone(phone) is not None:
            return None
        for invited in self.store.invitations_for(phone):
            if invited.email is None or self.store.by_email(invited.email) is None:
                return invited
        return None

    def invitations_of(self, merchant_id: str) -> list[MerchantUser]:
        """The cashiers kept as invitations (`add_by_owner`), oldest first."""
        return self.store.invitations_of(merchant_id)

    def by_id(self, user_id: str) -> MerchantUser | None:
        return self.store.by_id(user_id)

    def by_phone(self, phone: str) -> MerchantUser | None:
        return self.store.by_phone(phone)

    def by_email(self, address: str) -> MerchantUser | None:
        """The user whose email address this is, compared in lower case."""
        return self.store.by_email(address.strip().lower())

    def of_merchant(self, merchant_id: str) -> list[MerchantUser]:
        return self.store.of_merchant(merchant_id)

    def remove(self, merchant_id: str, user_id: str) -> UserResult:
        """Remove one of the merchant's users, or an invitation; never its last owner."""
        users = self.store.of_merchant(merchant_id)
        found = next((u for u in users if u.id == user_id), None)
        if found is None:
            removed = self.store.remove_invitation(merchant_id, user_id, self._clock.now_ns())
            return UserResult.ok if removed else UserResult.unknown_user
        if found.is_owner and sum(u.is_owner for u in users) == 1:
            return UserResult.last_owner
        self.store.remove(user_id)
        return UserResult.ok

    def keep_reason(
        self, user: MerchantUser, refund_id: int, payment_id: int, amount_minor: int, reason: str
    ) -> RefundReason:
        """Write why a refund is made, before its money moves (a form sent twice keeps the
        first)."""
        return self.keep_reason_by(
            user.merchant_id, user.id, refund_id, payment_id, amount_minor, reason
        )

    def keep_reason_by(
        self, merchant_id: str, by: str, refund_id: int, payment_id: int, amount_minor: int,
        reason: str,
    ) -> RefundReason:  # fmt: skip
        """As `keep_reason`, for whoever asked: a merchant user's id, or a staff member's
        (`stf_...`) refunding on the merchant's behalf from the operator console."""
        kept = RefundReason(
            refund_id, merchant_id, payment_id, by, amount_minor, reason, self._clock.now_ns()
        )
        return self.store.add_reason(kept)

    def reasons_of(self, payment_id: int) -> list[RefundReason]:
        return self.store.reasons_of(payment_id)


def credential_subject(user: MerchantUser) -> str:
    """Whose password it is in the credentials table."""
    return f"merchant_user:{user.id}"
