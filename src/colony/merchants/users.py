"""A merchant's users, who sign in to its portal (`/merchant`), and the reasons kept for the
refunds they make there."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# The longest name and email a user may be given, in characters.
user_name_chars_max = 100
email_chars_max = 254
# The longest reason a refund may be given, in characters.
refund_reason_chars_max = 200


class Role(enum.StrEnum):
    owner = "owner"  # everything: refunds, API keys, the webhook endpoint, staff
    cashier = "cashier"  # takings, payments and charging at the till; nothing that moves money


class UserResult(enum.IntEnum):
    ok = 0
    unknown_merchant = 1
    invalid_phone = 2
    invalid_name = 3
    invalid_email = 4
    invalid_role = 5
    phone_taken = 6  # a number signs in to one merchant user only
    unknown_user = 7
    last_owner = 8  # a merchant keeps at least one owner
    email_taken = 9  # an email address signs in to one merchant user only
    too_many_staff = 10  # a shop lists users_per_merchant_max users and invitations at most


@dataclass(frozen=True)
class MerchantUser:
    id: str  # "mus_" + hex
    merchant_id: str
    phone: str  # E.164
    email: str | None
    name: str
    role: Role
    created_at_ns: int

    @property
    def is_owner(self) -> bool:
        return self.role is Role.owner


@dataclass(frozen=True)
class RefundReason:
    """Why a refund was made, and by whom: written before the refund's money moves."""

    refund_id: int  # the refund's ledger transfer id
    merchant_id: str
    payment_id: int
    user_id: str
    amount_minor: int
    reason: str
    created_at_ns: int
