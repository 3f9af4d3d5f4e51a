"""Staff managed by an admin, on both backends: a member added with a one-time set-up link
(a password, then a code from the app the link's secret went into), roles changed, members
disabled and enabled (their sessions end), TOTP reset, every change in the audit log with
its reason, and the last active admin kept, even against two admins disabling each other at
the same moment."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from colony.credentials import CredentialService, attempts_max, open_credential_store
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.kernel.ids import IdGenerator
from colony.staff import (
    AuditAction,
    Role,
    SetUp,
    SqlStaffStore,
    StaffMember,
    StaffResult,
    StaffRoster,
    StaffService,
    open_staff_store,
    setup_link_ttl_s,
    totp,
    totp_step_s,
)
from colony.staff.roster import setup_digest
from colony.web.sessions import SqlSessionStore, WebSession, open_session_store
from tests.staff.test_staff import CHEAP, PASSWORD

R = StaffResult
NEW_PASSWORD = "another long password"
# How long the second change is left waiting on the first, in seconds, before the first
# commits: long enough for it to reach its lock on a busy machine.
interleave_wait_s = 0.5


@dataclass
class Office:
    staff: StaffService
    roster: StaffRoster
    store: SqlStaffStore
    sessions: SqlSessionStore
    clock: ManualClock
    url: str

    def admin(self, email: str = "ada@colony.example") -> StaffMember:
        result, member = self.staff.create(email, "Ada Admin", Role.admin, PASSWORD)
        assert result is R.ok and member is not None
        return member

    def member(self, role: Role = Role.support) -> StaffMember:
        result, member = self.staff.create("sam@colony.example", "Sam Support", role, PASSWORD)
        assert result is R.ok and member is not None
        return member

    def code(self, secret: str) -> str:
        return totp.code_at(secret, self.clock.now_ns() // NS_PER_S)

    def signed_in_session(self, member: StaffMember, n: int) -> None:
        now = self.clock.now_ns()
        self.sessions.add(
            WebSession(f"{n:064x}", "console", "signed_in", member.id, "", "", now, now + 10**12)
        )

    def entries(self) -> list[tuple[AuditAction, str, str]]:
        return [(e.action, e.target, e.reason) for e in reversed(self.staff.audit(None, 100))]


@pytest.fixture
def office(store_url: str) -> Iterator[Office]:
    clock = ManualClock()
    store, credentials = open_staff_store(store_url), open_credential_store(store_url)
    sessions = open_session_store(store_url)
    checks = CredentialService(credentials, clock, CHEAP)
    staff = StaffService(store, checks, clock, IdGenerator(clock, random.Random(7)))
    tokens = random.Random(11)
    roster = StaffRoster(
        staff, store, checks, clock, lambda staff_id: sessions.end_all("console", staff_id),
        tokens.randbytes,
    )  # fmt: skip
    yield Office(staff, roster, store, sessions, clock, store_url)
    store.close()
    credentials.close()
    sessions.close()


def _added(office: Office, by: StaffMember, role: Role = Role.read_only) -> tuple[StaffMember, str]:
    made = office.roster.add(
        " New@Colony.Example ", "Nia Newcomer", role, by=by, staff_id=f"stf_{'ab' * 16}"
    )
    assert made.result is R.ok and made.member is not None
    return made.member, made.token


def test_a_member_added_signs_in_only_after_using_their_link(office: Office) -> None:
    admin = office.admin()
    member, token = _added(office, admin)
    assert member.email == "new@colony.example" and member.setup is SetUp.password_and_totp
    assert len(token) == 64 and member.setup_expires_at_ns == (
        office.clock.now_ns() + setup_link_ttl_s * NS_PER_S
    )
    with office.store._tables.session() as db:
        (kept,) = db.execute("SELECT setup_sha256 FROM staff WHERE id = ?", (member.id,)).fetchone()
    assert kept == setup_digest(token) and token not in str(kept)  # only its hash is kept
    # No password yet: the sign-in page reads as for a wrong one.
    assert office.staff.check_password(member.email, "anything at all").result is R.unknown_staff

    assert office.roster.setup_of(token) == (R.ok, member)
    assert office.roster.setup_of("00" * 32) == (R.setup_unknown, None)
    code = office.code(member.totp_secret)
    assert office.roster.finish_setup(token, "short", code)[0] is R.malformed_password
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert office.roster.finish_setup(token, NEW_PASSWORD, wrong)[0] is R.totp_wrong
    assert office.staff.check_password(member.email, NEW_PASSWORD).result is R.unknown_staff
    result, done = office.roster.finish_setup(token, NEW_PASSWORD, code)
    assert result is R.ok and done is not None and done.setup is SetUp.done

    assert office.roster.setup_of(token) == (R.setup_unknown, None)  # spent
    assert office.roster.finish_setup(token, NEW_PASSWORD, code)[0] is R.setup_unknown
    assert office.staff.check_password(member.email, NEW_PASSWORD).result is R.ok
    assert office.staff.check_totp(member.id, code) is R.totp_reused  # the set-up's code
    office.clock.advance(totp_step_s)
    assert office.staff.check_totp(member.id, office.code(member.totp_secret)) is R.ok
    assert [a for a, _, _ in office.entries()] == [
        AuditAction.staff_created,  # the admin, by the command line
        AuditAction.staff_created,  # the newcomer, by the admin
        AuditAction.sign_in_failed,
        AuditAction.sign_in_failed,
        AuditAction.staff_set_up,
        AuditAction.sign_in,
        AuditAction.sign_in_failed,  # the set-up's code, reused
        AuditAction.sign_in,
    ]
    created = office.staff.audit(None, 100)[-2]  # newest first
    assert (created.staff_id, created.detail["role"]) == (admin.id, "read_only")


def test_a_link_expires_and_an_email_is_one_members(office: Office) -> None:
    admin = office.admin()
    member, token = _added(office, admin)
    office.clock.advance(setup_link_ttl_s)
    assert office.roster.setup_of(token) == (R.setup_expired, None)
    code = office.code(member.totp_secret)
    assert office.roster.finish_setup(token, NEW_PASSWORD, code)[0] is R.setup_expired
    again = office.roster.add("new@colony.example", "Nia", Role.risk, by=admin, staff_id="stf_x")
    assert again.result is R.email_taken and again.token == ""
    refused = office.roster.add("new", "Nia", Role.risk, by=admin, staff_id="stf_y")
    assert refused.result is R.invalid_email
    assert office.roster.add("n@c.fi", " ", Role.risk, by=admin, staff_id="stf_z").result is (
        R.invalid_name
    )


def test_a_role_changes_with_a_reason(office: Office) -> None:
    admin, member = office.admin(), office.member()
    assert office.roster.change_role(member.id, Role.risk, " ", by=admin) is R.invalid_reason
    assert office.roster.change_role(member.id, Role.risk, "x" * 501, by=admin) is (
        R.invalid_reason
    )
    assert office.roster.change_role("stf_nobody", Role.risk, "why", by=admin) is R.unknown_staff
    assert office.roster.change_role(member.id, Role.support, "why", by=admin) is R.same_role
    assert office.roster.change_role(member.id, Role.risk, " moved to fraud ", by=admin) is R.ok
    changed = office.staff.by_id(member.id)
    assert changed is not None and changed.role is Role.risk
    (entry,) = office.staff.audit(None, 1)
    assert (entry.action, entry.staff_id, entry.target, entry.reason) == (
        AuditAction.staff_role_changed, admin.id, member.id, "moved to fraud",
    )  # fmt: skip
    assert entry.detail == {"was": "support", "now": "risk"}


def test_disabled_members_cannot_sign_in_and_their_sessions_end(office: Office) -> None:
    admin, member = office.admin(), office.member()
    office.signed_in_session(member, 1)
    office.signed_in_session(member, 2)
    office.signed_in_session(admin, 3)
    assert office.roster.disable(member.id, "left the company", by=admin) is R.ok
    assert office.roster.disable(member.id, "again", by=admin) is R.already_disabled
    assert office.staff.check_password(member.email, PASSWORD).result is R.inactive
    assert office.staff.check_totp(member.id, office.code(member.totp_secret)) is R.inactive
    now = office.clock.now_ns()
    assert [office.sessions.get(f"{n:064x}", "console", now) is None for n in (1, 2, 3)] == [
        True, True, False,
    ]  # fmt: skip
    (disabled,) = [
        e for e in office.staff.audit(None, 10) if e.action is not AuditAction.sign_in_failed
    ][:1]
    assert (disabled.action, disabled.reason) == (AuditAction.staff_disabled, "left the company")
    assert disabled.detail == {"sessions_ended": 2}
    assert office.roster.enable(member.id, "came back", by=admin) is R.ok
    assert office.roster.enable(member.id, "again", by=admin) is R.already_active
    assert office.staff.check_password(member.email, PASSWORD).result is R.ok


def test_an_admin_may_not_disable_themselves_nor_leave_no_admin(office: Office) -> None:
    admin = office.admin()
    assert office.roster.disable(admin.id, "leaving", by=admin) is R.own_account
    assert office.roster.reset_totp(admin.id, "new phone", by=admin).result is R.own_account
    assert office.roster.change_role(admin.id, Role.operations, "hand over", by=admin) is (
        R.last_admin
    )
    second = office.staff.create("bo@colony.example", "Bo", Role.operations, PASSWORD)[1]
    assert second is not None
    assert office.roster.change_role(second.id, Role.admin, "second admin", by=admin) is R.ok
    assert office.roster.change_role(admin.id, Role.operations, "hand over", by=admin) is R.ok
    # Bo, now the only admin, cannot be disabled by anyone left, nor demote himself.
    bo = office.staff.by_id(second.id)
    assert bo is not None
    assert office.roster.change_role(bo.id, Role.risk, "bored", by=bo) is R.last_admin
    assert office.store.change(bo.id, None, False) is R.last_admin  # whoever asks the store
    assert [a for a, _, _ in office.entries()].count(AuditAction.staff_role_changed) == 2


def test_two_admins_disabling_each_other_at_once_leave_one_active(office: Office) -> None:
    a, b = office.admin(), office.admin("bea@colony.example")
    # Another worker is disabling B: it has read both admins active, holds them, and has
    # written B disabled, not yet committed. A's change here must wait for it, then count.
    other = open_staff_store(office.url)
    lock = " FOR UPDATE" if other._tables.backend == "postgresql" else ""
    results: list[StaffResult] = []
    try:
        with other._tables.transaction() as db:
            db.execute(f"SELECT id FROM staff WHERE role = 'admin' AND active = 1{lock}")
            db.execute("UPDATE staff SET active = 0 WHERE id = ?", (b.id,))
            racing = threading.Thread(
                target=lambda: results.append(office.store.change(a.id, None, False))
            )
            racing.start()
            time.sleep(interleave_wait_s)
            assert results == []  # waiting on the other worker's transaction
        racing.join()
    finally:
        other.close()
    assert results == [R.last_admin]
    left = [m for m in office.store.page(None, 10) if m.role is Role.admin and m.active]
    assert [m.id for m in left] == [a.id]


def test_a_reset_totp_voids_the_old_app_until_the_member_sets_it_up_again(
    office: Office,
) -> None:
    admin, member = office.admin(), office.member()
    office.signed_in_session(member, 1)
    old_code = office.code(member.totp_secret)
    made = office.roster.reset_totp(member.id, "lost phone", by=admin)
    assert made.result is R.ok and made.member is not None and made.member.setup is SetUp.totp
    assert made.member.totp_secret != member.totp_secret
    assert office.sessions.get(f"{1:064x}", "console", office.clock.now_ns()) is None
    reset = office.staff.audit(None, 1)[0]
    assert (reset.action, reset.reason, reset.detail["sessions_ended"]) == (
        AuditAction.staff_totp_reset, "lost phone", 1,
    )  # fmt: skip
    # The right password no longer signs them in: their link must be used first.
    assert office.staff.check_password(member.email, PASSWORD).result is R.setup_pending
    assert office.staff.check_totp(member.id, old_code) is R.totp_wrong
    new_code = office.code(made.member.totp_secret)
    assert office.roster.finish_setup(made.token, "not my password", new_code)[0] is (
        R.wrong_password
    )
    assert office.roster.finish_setup(made.token, PASSWORD, old_code)[0] is R.totp_wrong
    assert office.roster.finish_setup(made.token, PASSWORD, new_code)[0] is R.ok
    assert office.staff.check_password(member.email, PASSWORD).result is R.ok


def test_wrong_passwords_on_a_reset_link_lock_as_at_sign_in(office: Office) -> None:
    admin, member = office.admin(), office.member()
    made = office.roster.reset_totp(member.id, "new phone", by=admin)
    assert made.member is not None
    code = office.code(made.member.totp_secret)
    tries = [office.roster.finish_setup(made.token, "guess guess!", code)[0]]
    tries += [office.roster.finish_setup(made.token, "guess guess!", code)[0]]
    tries += [
        office.roster.finish_setup(made.token, "guess guess!", code)[0]
        for _ in range(attempts_max - 2)
    ]
    assert tries[-1] is R.locked and set(tries[:-1]) == {R.wrong_password}
    assert office.roster.finish_setup(made.token, PASSWORD, code)[0] is R.locked


def test_a_reset_before_set_up_makes_a_new_link_that_still_asks_a_password(
    office: Office,
) -> None:
    admin = office.admin()
    member, first = _added(office, admin)
    office.clock.advance(setup_link_ttl_s)  # expired unused: the admin makes a new one
    made = office.roster.reset_totp(member.id, "link expired", by=admin)
    assert made.member is not None and made.member.setup is SetUp.password_and_totp
    assert office.roster.setup_of(first) == (R.setup_unknown, None)  # replaced
    code = office.code(made.member.totp_secret)
    assert office.roster.finish_setup(made.token, NEW_PASSWORD, code)[0] is R.ok
    # A disabled member's TOTP is not reset, nor can their link be used.
    assert office.roster.disable(member.id, "on leave", by=admin) is R.ok
    assert office.roster.reset_totp(member.id, "x", by=admin).result is R.inactive


def test_the_list_pages_by_id(office: Office) -> None:
    admin = office.admin()
    for n in range(4):
        office.staff.create(f"s{n}@colony.example", f"S{n}", Role.risk, PASSWORD)
    everyone = office.roster.page(None, 10)
    assert len(everyone) == 5 and admin in everyone
    assert [m.id for m in everyone] == sorted(m.id for m in everyone)
    first = office.roster.page(None, 3)
    assert office.roster.page(first[-1].id, 3) == everyone[3:]
