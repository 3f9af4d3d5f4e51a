"""Merchant users and refund reasons, on either backend (tables.py)."""

from __future__ import annotations

import dataclasses

from colony.merchants.users import MerchantUser, RefundReason, Role
from colony.storage.open import open_tables
from colony.storage.tables import Tables

# A merchant's users listed at once: a shop's staff, not a payroll.
users_per_merchant_max = 200

_USER_COLUMNS = "id, merchant_id, phone, email, name, role, created_at_ns"
_REASON_COLUMNS = "refund_id, merchant_id, payment_id, user_id, amount_minor, reason, created_at_ns"


def _user_of(row: tuple[object, ...]) -> MerchantUser:
    uid, merchant_id, phone, email, name, role, created = row
    return MerchantUser(
        str(uid), str(merchant_id), str(phone), None if email is None else str(email),
        str(name), Role(str(role)), int(str(created)),
    )  # fmt: skip


def _reason_of(row: tuple[object, ...]) -> RefundReason:
    rid, merchant_id, pid, user_id, amount, reason, created = row
    return RefundReason(
        int(str(rid)), str(merchant_id), int(str(pid)), str(user_id), int(str(amount)),
        str(reason), int(str(created)),
    )  # fmt: skip


def _row_of(user: MerchantUser) -> tuple[object, ...]:
    return (user.id, user.merchant_id, user.phone, user.email, user.name, user.role.value,
            user.created_at_ns)  # fmt: skip


def _insert_into(table: str) -> str:
    """A user's or an invitation's row added (the same columns), or nothing on a conflict."""
    return (
        f"INSERT INTO {table} ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
    )


class _StillTaken(Exception):
    """An invitation's number or address is a user's: nothing is changed."""


class SqlMerchantUserStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, user: MerchantUser) -> bool:
        """False when the phone number or email address is another user's already."""
        return self._insert("merchant_users", user)

    def by_id(self, user_id: str) -> MerchantUser | None:
        return self._one("id = ?", user_id)

    def by_phone(self, phone: str) -> MerchantUser | None:
        return self._one("phone = ?", phone)

    def by_email(self, address: str) -> MerchantUser | None:
        return self._one("email = ?", address)

    def of_merchant(self, merchant_id: str) -> list[MerchantUser]:
        return self._listed("merchant_users", "merchant_id", merchant_id)

    def remove(self, user_id: str) -> bool:
        with self._tables.write() as db:
            return db.execute("DELETE FROM merchant_users WHERE id = ?", (user_id,)).rowcount == 1

    def add_invitation(self, invited: MerchantUser) -> None:
        """Keep a cashier added whose number or address is another shop's (docs/adr/0115)."""
        self._insert("merchant_invitations", invited)

    def invitations_of(self, merchant_id: str) -> list[MerchantUser]:
        """The invitations listed (not removed), oldest first."""
        return self._listed(
            "merchant_invitations", "merchant_id", merchant_id, " AND removed_at_ns IS NULL"
        )

    def invited_since(self, phone: str, since_ns: int) -> bool:
        """Whether any shop invited `phone` after `since_ns`, removed since or not."""
        with self._tables.session() as db:
            found = db.execute(
                "SELECT 1 FROM merchant_invitations WHERE phone = ? AND created_at_ns > ? LIMIT 1",
                (phone, since_ns),
            ).fetchone()
        return found is not None

    def remove_invitation(self, merchant_id: str, invitation_id: str, now_ns: int) -> bool:
        """Take a listed invitation off the list (its row stays: `invited_since`)."""
        with self._tables.write() as db:
            return (
                db.execute(
                    "UPDATE merchant_invitations SET removed_at_ns = ?"
                    " WHERE id = ? AND merchant_id = ? AND removed_at_ns IS NULL",
                    (now_ns, invitation_id, merchant_id),
                ).rowcount
                == 1
            )

    def invitations_for(self, phone: str) -> list[MerchantUser]:
        """The listed invitations of `phone`, by any shop, oldest first (at most
        `users_per_merchant_max`: no number is invited by more shops in earnest)."""
        return self._listed("merchant_invitations", "phone", phone, " AND removed_at_ns IS NULL")

    def accept_invitation(self, invited: MerchantUser, now_ns: int) -> MerchantUser | None:
        """Make the invitation its shop's user, as typed, under its id, and take it off the
        list, in one transaction. None (nothing changed) when it is no longer listed or its
        number or address is a user's."""
        made_user = dataclasses.replace(invited, created_at_ns=now_ns)
        try:
            with self._tables.transaction() as db:
                taken = db.execute(
                    "UPDATE merchant_invitations SET removed_at_ns = ?"
                    " WHERE id = ? AND removed_at_ns IS NULL",
                    (now_ns, invited.id),
                ).rowcount
                if taken != 1:
                    return None
                made = db.execute(_insert_into("merchant_users"), _row_of(made_user)).rowcount
                if made != 1:
                    raise _StillTaken  # the invitation stays listed: rolled back
        except _StillTaken:
            return None
        return made_user

    def add_reason(self, reason: RefundReason) -> RefundReason:
        """The reason, stored; or the one already stored for its refund (a form sent twice)."""
        row = (str(reason.refund_id), reason.merchant_id, str(reason.payment_id), reason.user_id,
               reason.amount_minor, reason.reason, reason.created_at_ns)  # fmt: skip
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO refund_reasons ({_REASON_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                row,
            )
            found = db.execute(
                f"SELECT {_REASON_COLUMNS} FROM refund_reasons WHERE refund_id = ?", (row[0],)
            ).fetchone()
        return _reason_of(found)

    def reasons_of(self, payment_id: int) -> list[RefundReason]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_REASON_COLUMNS} FROM refund_reasons WHERE payment_id = ?"
                " ORDER BY created_at_ns",
                (str(payment_id),),
            ).fetchall()
        return [_reason_of(r) for r in rows]

    def _insert(self, table: str, user: MerchantUser) -> bool:
        """`user` in `table` (users or invitations, the same columns); False on a conflict."""
        with self._tables.write() as db:
            return db.execute(_insert_into(table), _row_of(user)).rowcount == 1

    def _listed(
        self, table: str, column: str, value: str, and_where: str = ""
    ) -> list[MerchantUser]:
        """Users or invitations whose `column` (a merchant's id, a phone number) is `value`,
        oldest first; `column` and `and_where` are this module's constants, never input."""
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_USER_COLUMNS} FROM {table} WHERE {column} = ?{and_where}"
                " ORDER BY created_at_ns, id LIMIT ?",
                (value, users_per_merchant_max),
            ).fetchall()
        return [_user_of(r) for r in rows]

    def _one(self, where: str, value: str) -> MerchantUser | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_USER_COLUMNS} FROM merchant_users WHERE {where}", (value,)
            ).fetchone()
        return None if row is None else _user_of(row)

    def close(self) -> None:
        self._tables.close()


def open_merchant_user_store(url: str) -> SqlMerchantUserStore:
    """Merchant users behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlMerchantUserStore(open_tables(url, "colony-merchant-users"))
