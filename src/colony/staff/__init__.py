"""Staff: the people who run Colony from the operator console, their roles and what each may
do, signing in with a password and an authenticator app's code, and the append-only audit log
of every change they make."""

from __future__ import annotations

from colony.staff import totp
from colony.staff.model import (
    ROLE_PERMISSIONS,
    AuditAction,
    AuditEntry,
    Permission,
    Role,
    SetUp,
    StaffMember,
    audit_page_entries,
    may,
    setup_link_ttl_s,
    staff_page_rows,
    staff_reason_chars_max,
    totp_step_s,
)
from colony.staff.results import StaffResult
from colony.staff.roster import SetUpLink, StaffRoster
from colony.staff.service import PasswordOutcome, StaffService
from colony.staff.sql_store import SqlStaffStore, open_staff_store
from colony.staff.store import AuditStore, StaffStore, StaffTables

__all__ = [
    "ROLE_PERMISSIONS",
    "AuditAction",
    "AuditEntry",
    "AuditStore",
    "PasswordOutcome",
    "Permission",
    "Role",
    "SetUp",
    "SetUpLink",
    "SqlStaffStore",
    "StaffMember",
    "StaffResult",
    "StaffRoster",
    "StaffService",
    "StaffStore",
    "StaffTables",
    "audit_page_entries",
    "may",
    "open_staff_store",
    "setup_link_ttl_s",
    "staff_page_rows",
    "staff_reason_chars_max",
    "totp",
    "totp_step_s",
]
