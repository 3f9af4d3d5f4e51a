"""How staff members and audit entries map to table rows, the same on every backend."""

from __future__ import annotations

import json

from colony.staff.model import AuditAction, AuditEntry, Role, SetUp, StaffMember

STAFF_COLUMNS = "id, email, name, role, secret, active, created_at_ns, setup, setup_expires_at_ns"
AUDIT_COLUMNS = "id, at_ns, staff_id, action, target, reason, detail"


def staff_row(m: StaffMember, sealed_secret: str) -> tuple[object, ...]:
    return (
        m.id, m.email, m.name, m.role.value, sealed_secret, int(m.active), m.created_at_ns,
        m.setup.value, m.setup_expires_at_ns,
    )  # fmt: skip


def staff_of(row: tuple[object, ...], secret: str) -> StaffMember:
    staff_id, email, name, role, _, active, created, setup, setup_expires = row
    return StaffMember(
        str(staff_id), str(email), str(name), Role(str(role)), secret, bool(int(str(active))),
        int(str(created)), SetUp(str(setup)), int(str(setup_expires)),
    )  # fmt: skip


def audit_row(e: AuditEntry) -> tuple[object, ...]:
    detail = json.dumps(e.detail, sort_keys=True, separators=(",", ":"))
    return (e.id, e.at_ns, e.staff_id, e.action.value, e.target, e.reason, detail)


def audit_of(row: tuple[object, ...]) -> AuditEntry:
    entry_id, at_ns, staff_id, action, target, reason, detail = row
    return AuditEntry(
        str(entry_id), int(str(at_ns)), str(staff_id), AuditAction(str(action)), str(target),
        str(reason), json.loads(str(detail)),
    )  # fmt: skip
