"""What staff keep outside the ledger: the staff members, and the audit log."""

from __future__ import annotations

from typing import Protocol

from colony.staff.model import AuditEntry, StaffMember


class StaffStore(Protocol):
    def add(self, member: StaffMember) -> bool:
        """Keep a new staff member; False (nothing kept) when the email is taken."""

    def by_id(self, staff_id: str) -> StaffMember | None: ...

    def by_email(self, email: str) -> StaffMember | None: ...

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

    def entries(self, before_id: str | None, limit: int) -> list[AuditEntry]:
        """Newest first: up to `limit` entries older than `before_id` (None: the newest)."""


class StaffTables(StaffStore, AuditStore, Protocol):
    """Both, as one SQL store keeps them."""
