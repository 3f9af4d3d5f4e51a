"""What staff keep outside the ledger: the staff members, and the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from colony.staff.audit_chain import Link
from colony.staff.model import AuditEntry, Role, SetUp, StaffMember
from colony.staff.results import StaffResult


class StaffStore(Protocol):
    def add(self, member: StaffMember, setup_sha256: str = "") -> bool:
        """Keep a new staff member (with their set-up link's token hashed, when they have
        one); False (nothing kept) when the email or the id is taken."""

    def by_id(self, staff_id: str) -> StaffMember | None: ...

    def by_email(self, email: str) -> StaffMember | None: ...

    def page(self, after_id: str | None, limit: int) -> list[StaffMember]:
        """Up to `limit` staff members in the order of their ids, after `after_id`."""

    def change(self, staff_id: str, role: Role | None, active: bool | None) -> StaffResult:
        """Set the role and whether the member is active (None: as it is), unless that would
        leave no active admin where there was one: `last_admin` then, and nothing changed.
        The active admins are held for the change, so two admins disabling each other at
        once cannot both succeed. Else `ok`, `unknown_staff`, or `same_role`,
        `already_disabled`, `already_active` when nothing would change."""

    def start_setup(
        self, staff_id: str, setup: SetUp, setup_sha256: str, expires_at_ns: int,
        totp_secret: str | None,
    ) -> bool:  # fmt: skip
        """A new set-up link for the member (replacing any earlier one), and a new TOTP
        secret when given (the old one makes no more codes). False: no such member."""

    def by_setup(self, setup_sha256: str) -> StaffMember | None:
        """The member whose set-up link has this token, while it is not used."""

    def finish_setup(self, staff_id: str, setup_sha256: str) -> bool:
        """The link used, once: set-up done. False when it was used or replaced meanwhile."""

    def take_totp_try(self, staff_id: str, attempts_max: int, now_ns: int, lock_ns: int) -> bool:
        """Count one try at a code, atomically, unless `attempts_max` tries have been counted
        since the last code taken and the last of them is under `lock_ns` old: False (and
        nothing counted) then. Concurrent tries from any process share the budget."""

    def take_totp_step(self, staff_id: str, step: int) -> bool:
        """Record `step` as the last code taken, and start the count of tries again, only if
        it is later than the last taken: False for a code used before (or an older one)."""


class AuditStore(Protocol):
    def append(self, entry: AuditEntry) -> None:
        """Add an entry. The log has no way to change or delete one."""

    def links(self, after_seq: int, limit: int) -> list[Link]:
        """The hash chain in order: up to `limit` links after place `after_seq`."""

    def unchained(self) -> int:
        """Entries written before the chain began."""

    def entries(self, before_id: str | None, limit: int) -> list[AuditEntry]:
        """Newest first: up to `limit` entries older than `before_id` (None: the newest)."""

    def failed_sign_ins(self, target: str, limit: int) -> list[AuditEntry]:
        """Newest first: up to `limit` `sign_in_failed` entries whose target is `target`."""

    def append_after_failed_sign_ins(
        self, target: str, limit: int, decide: Callable[[list[AuditEntry]], AuditEntry]
    ) -> AuditEntry:
        """`failed_sign_ins(target, limit)` read and `decide`'s entry for them appended, as
        one step across processes (an entry appended meanwhile by anyone makes it read
        again): the entry appended."""


class StaffTables(StaffStore, AuditStore, Protocol):
    """Both, as one SQL store keeps them."""
