"""Staff members and the audit log, on either backend (storage/tables.py).

A staff member's TOTP secret is what their authenticator app holds: with it, anyone makes
their codes. It is sealed at rest as device secrets are (kernel/secret_box.py, docs/adr/0032),
bound to the staff member's id, so a copy of the database makes no codes.

The audit log is only appended to: this store has no statement that changes or deletes an
entry, and the tables refuse one (a trigger on each backend, migrations/).
"""

from __future__ import annotations

from collections.abc import Callable

from colony.kernel.errors import StorageUnavailable
from colony.kernel.secret_box import SecretBox
from colony.staff.audit_chain import GENESIS_SHA256, Link, link_sha256
from colony.staff.model import AuditAction, AuditEntry, Role, SetUp, StaffMember
from colony.staff.results import StaffResult
from colony.staff.rows import AUDIT_COLUMNS, STAFF_COLUMNS, audit_of, audit_row, staff_of, staff_row
from colony.storage.open import open_tables
from colony.storage.secrets_key import check_sealed_column, secret_box_for
from colony.storage.tables import Session, Tables


def _bound_to(staff_id: str) -> str:
    return f"staff/{staff_id}/totp"


# Ids are compared byte by byte (COLLATE "C" on PostgreSQL, as SQLite does), so a page of the
# log before an id holds the same entries on both backends.
class SqlStaffStore:
    def __init__(self, tables: Tables, box: SecretBox) -> None:
        self._tables = tables
        self._box = box
        check_sealed_column(tables, box, "staff", "a staff member's TOTP secret")

    def add(self, member: StaffMember, setup_sha256: str = "") -> bool:
        with self._tables.write() as db:
            added = db.execute(
                f"INSERT INTO staff ({STAFF_COLUMNS}, setup_sha256, totp_last_step, totp_tries,"
                " totp_tried_at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)"
                " ON CONFLICT DO NOTHING",
                (*staff_row(member, self._sealed(member.id, member.totp_secret)), setup_sha256),
            ).rowcount
        return added == 1

    def by_id(self, staff_id: str) -> StaffMember | None:
        return self._one("id = ?", staff_id)

    def by_email(self, email: str) -> StaffMember | None:
        return self._one("email = ?", email)

    def page(self, after_id: str | None, limit: int) -> list[StaffMember]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {STAFF_COLUMNS} FROM staff WHERE id > ? ORDER BY id LIMIT ?",
                (after_id or "", limit),
            ).fetchall()
        return [self._member(row) for row in rows]

    def change(self, staff_id: str, role: Role | None, active: bool | None) -> StaffResult:
        # The active admins and the member are read and locked in the transaction that
        # changes the member. PostgreSQL's FOR UPDATE makes a second change wait for the
        # first and then read the admins as it left them (a row no longer an active admin
        # drops out); SQLite's write transactions run one at a time anyway.
        lock = " FOR UPDATE" if self._tables.backend == "postgresql" else ""
        with self._tables.transaction() as db:
            rows = db.execute(
                "SELECT id, role, active FROM staff WHERE id = ? OR (role = ? AND active = 1)"
                f" ORDER BY id{lock}",
                (staff_id, Role.admin.value),
            ).fetchall()
            now = {str(r[0]): (Role(str(r[1])), bool(int(r[2]))) for r in rows}
            if staff_id not in now:
                return StaffResult.unknown_staff
            was_role, was_active = now[staff_id]
            new_role = was_role if role is None else role
            new_active = was_active if active is None else active
            if (new_role, new_active) == (was_role, was_active):
                if role is not None:
                    return StaffResult.same_role
                return StaffResult.already_active if new_active else StaffResult.already_disabled
            admins = {i for i, (r, on) in now.items() if r is Role.admin and on} - {staff_id}
            if new_role is Role.admin and new_active:
                admins.add(staff_id)
            if not admins and (was_role is Role.admin and was_active):
                return StaffResult.last_admin
            db.execute(
                "UPDATE staff SET role = ?, active = ? WHERE id = ?",
                (new_role.value, int(new_active), staff_id),
            )
        return StaffResult.ok

    def start_setup(
        self, staff_id: str, setup: SetUp, setup_sha256: str, expires_at_ns: int,
        totp_secret: str | None,
    ) -> bool:  # fmt: skip
        assert setup is not SetUp.done and setup_sha256
        sets = "setup = ?, setup_sha256 = ?, setup_expires_at_ns = ?"
        args: list[object] = [setup.value, setup_sha256, expires_at_ns]
        if totp_secret is not None:
            sets += ", secret = ?"
            args.append(self._sealed(staff_id, totp_secret))
        with self._tables.write() as db:
            changed = db.execute(
                f"UPDATE staff SET {sets} WHERE id = ?", (*args, staff_id)
            ).rowcount
        return changed == 1

    def by_setup(self, setup_sha256: str) -> StaffMember | None:
        if not setup_sha256:
            return None
        return self._one("setup_sha256 = ? AND setup <> 'done'", setup_sha256)

    def finish_setup(self, staff_id: str, setup_sha256: str) -> bool:
        with self._tables.write() as db:
            finished = db.execute(
                "UPDATE staff SET setup = 'done', setup_sha256 = '', setup_expires_at_ns = 0"
                " WHERE id = ? AND setup_sha256 = ? AND setup <> 'done'",
                (staff_id, setup_sha256),
            ).rowcount
        return finished == 1

    def take_totp_try(self, staff_id: str, attempts_max: int, now_ns: int, lock_ns: int) -> bool:
        # One conditional UPDATE: the database counts, so two processes cannot both take the
        # last try. A lock that has passed starts the count again.
        with self._tables.transaction() as db:
            db.execute(
                "UPDATE staff SET totp_tries = 0"
                " WHERE id = ? AND totp_tries >= ? AND totp_tried_at_ns <= ?",
                (staff_id, attempts_max, now_ns - lock_ns),
            )
            taken = db.execute(
                "UPDATE staff SET totp_tries = totp_tries + 1, totp_tried_at_ns = ?"
                " WHERE id = ? AND totp_tries < ?",
                (now_ns, staff_id, attempts_max),
            ).rowcount
        return taken == 1

    def take_totp_step(self, staff_id: str, step: int) -> bool:
        with self._tables.write() as db:
            taken = db.execute(
                "UPDATE staff SET totp_last_step = ?, totp_tries = 0"
                " WHERE id = ? AND totp_last_step < ?",
                (step, staff_id, step),
            ).rowcount
        return taken == 1

    def append(self, entry: AuditEntry) -> None:
        """Append the entry as the chain's next link."""
        self._append(lambda _: entry)

    def append_after_failed_sign_ins(
        self, target: str, limit: int, decide: Callable[[list[AuditEntry]], AuditEntry]
    ) -> AuditEntry:
        """Read `target`'s newest `limit` `sign_in_failed` entries and append the entry
        `decide` makes of them, as one step for every process: an entry appended by anyone
        after the read takes the chain's next place first, and the read is made again."""
        return self._append(lambda db: decide(_failed_sign_ins(db, target, limit)))

    def _append(self, make: Callable[[Session], AuditEntry]) -> AuditEntry:
        """Append `make`'s entry as the chain's next link. Two processes appending at once
        both read the same head; the unique place lets one in and the other tries again
        (`make` asked again: what it read may have changed)."""
        for _ in range(chain_append_tries_max):
            with self._tables.transaction() as db:
                head = db.execute(
                    "SELECT seq, sha256 FROM staff_audit WHERE seq IS NOT NULL"
                    " ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq = 1 if head is None else int(str(head[0])) + 1
                prev = GENESIS_SHA256 if head is None else str(head[1])
                entry = make(db)
                added = db.execute(
                    f"INSERT INTO staff_audit ({AUDIT_COLUMNS}, seq, prev_sha256, sha256)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
                    (*audit_row(entry), seq, prev, link_sha256(seq, prev, entry)),
                ).rowcount
            if added == 1:
                return entry
        raise StorageUnavailable(
            f"the audit log's next place was taken {chain_append_tries_max} times running"
        )

    def links(self, after_seq: int, limit: int) -> list[Link]:
        """The chain in order: up to `limit` links after place `after_seq`."""
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {AUDIT_COLUMNS}, seq, prev_sha256, sha256 FROM staff_audit"
                " WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [Link(int(str(r[7])), str(r[8]), str(r[9]), audit_of(tuple(r[:7]))) for r in rows]

    def unchained(self) -> int:
        """Entries written before the chain began."""
        with self._tables.session() as db:
            row = db.execute("SELECT count(*) FROM staff_audit WHERE seq IS NULL").fetchone()
        assert row is not None
        return int(str(row[0]))

    def entries(self, before_id: str | None, limit: int) -> list[AuditEntry]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {AUDIT_COLUMNS} FROM staff_audit WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before_id or "aud_g", limit),  # "g" sorts after every hex digit
            ).fetchall()
        return [audit_of(row) for row in rows]

    def failed_sign_ins(self, target: str, limit: int) -> list[AuditEntry]:
        with self._tables.session() as db:
            return _failed_sign_ins(db, target, limit)

    def close(self) -> None:
        self._tables.close()

    def _one(self, where: str, value: str) -> StaffMember | None:
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {STAFF_COLUMNS} FROM staff WHERE {where}", (value,)
            ).fetchone()
        return None if row is None else self._member(row)

    def _member(self, row: tuple[object, ...]) -> StaffMember:
        secret = self._box.open(str(row[4]), _bound_to(str(row[0]))).decode()
        return staff_of(row, secret)

    def _sealed(self, staff_id: str, totp_secret: str) -> str:
        return self._box.seal(totp_secret.encode(), _bound_to(staff_id))


def _failed_sign_ins(db: Session, target: str, limit: int) -> list[AuditEntry]:
    # Read through staff_audit_by_target_in_chain: the target's entries only, newest (the
    # highest place in the chain) first; entries from before the chain are not counted.
    rows = db.execute(
        f"SELECT {AUDIT_COLUMNS} FROM staff_audit WHERE target = ? AND action = ?"
        " AND seq IS NOT NULL ORDER BY seq DESC LIMIT ?",
        (target, AuditAction.sign_in_failed.value, limit),
    ).fetchall()
    return [audit_of(row) for row in rows]


# Tries at appending one audit entry while other processes take the chain's next place.
chain_append_tries_max = 20


def open_staff_store(url: str) -> SqlStaffStore:
    """Staff and the audit log behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlStaffStore(open_tables(url, "colony-staff"), secret_box_for(url))
