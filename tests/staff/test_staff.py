"""Staff members on both backends: adding them, the roles' table, signing in with a password
(locked after wrong tries) and a TOTP code (right, wrong, reused, the window, locked), and
the audit log: a row for each action, newest first, never changed."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pytest
from argon2 import PasswordHasher

from colony.credentials import (
    CredentialService,
    attempts_max,
    lock_s,
    open_credential_store,
)
from colony.credentials.sql_store import SqlCredentialStore
from colony.kernel.clock import NS_PER_S, ManualClock
from colony.kernel.ids import IdGenerator
from colony.staff import (
    AuditAction,
    Permission,
    Role,
    SqlStaffStore,
    StaffMember,
    StaffResult,
    StaffService,
    may,
    open_staff_store,
    totp,
    totp_step_s,
)
from colony.staff.console_pages import PERMISSION_TEXTS

R = StaffResult
# A cheaper argon2id: the same algorithm and checks.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "a long staff password"


@dataclass
class Desk:
    service: StaffService
    store: SqlStaffStore
    credentials: SqlCredentialStore
    clock: ManualClock

    def code(self, member: StaffMember, offset_s: int = 0) -> str:
        return totp.code_at(member.totp_secret, self.clock.now_ns() // NS_PER_S + offset_s)

    def actions(self) -> list[tuple[AuditAction, str]]:
        return [(e.action, e.target) for e in reversed(self.service.audit(None, 100))]


@pytest.fixture
def desk(store_url: str) -> Iterator[Desk]:
    clock = ManualClock()  # 2026-01-01 00:00 UTC: a time step's start, so windows are plain
    store, credentials = open_staff_store(store_url), open_credential_store(store_url)
    ids = IdGenerator(clock, random.Random(7))
    service = StaffService(store, CredentialService(credentials, clock, CHEAP), clock, ids)
    yield Desk(service, store, credentials, clock)
    store.close()
    credentials.close()


def _member(
    desk: Desk, email: str = "ops@colony.example", role: Role = Role.operations
) -> StaffMember:
    result, member = desk.service.create(email, "Olli Operator", role, PASSWORD)
    assert result is R.ok and member is not None
    return member


P = Permission
# The roles' table, written out: each role's permissions, exactly.
ROLE_TABLE = {
    Role.operations: {
        P.read, P.read_sms_outbox, P.freeze_wallets, P.onboard_merchants, P.refund_payments,
        P.retry_webhooks, P.pay_out_merchants, P.handle_complaints, P.score_merchants,
        P.suspend_merchants,
    },
    Role.risk: {P.read, P.freeze_wallets, P.suspend_merchants, P.manage_risk},
    Role.support: {
        P.read, P.read_sms_outbox, P.freeze_wallets, P.refund_payments, P.retry_webhooks,
        P.handle_complaints,
    },
    Role.finance: {P.read, P.refund_payments, P.pay_out_merchants, P.score_merchants},
    Role.read_only: {P.read},
    Role.admin: {P.read, P.manage_staff},
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_what_each_role_may_do(role: Role) -> None:
    assert {p for p in Permission if may(role, p)} == ROLE_TABLE[role]


@pytest.mark.parametrize(
    ("email", "name", "password", "expected"),
    [
        ("  Ops@Colony.Example ", "Olli", PASSWORD, R.ok),
        ("ops", "Olli", PASSWORD, R.invalid_email),
        ("ops@colony", "Olli", PASSWORD, R.invalid_email),
        ("o" * 250 + "@c.fi", "Olli", PASSWORD, R.invalid_email),
        ("ops@colony.example", " ", PASSWORD, R.invalid_name),
        ("ops@colony.example", "x" * 101, PASSWORD, R.invalid_name),
        ("ops@colony.example", "Olli", "short", R.malformed_password),
        ("ops@colony.example", "Olli", "aaaaabbbbbb", R.weak_password),
    ],
)
def test_adding_a_staff_member(
    desk: Desk, email: str, name: str, password: str, expected: R
) -> None:
    result, member = desk.service.create(email, name, Role.support, password)
    assert result is expected
    assert (member is not None) is (expected is R.ok)
    if member is not None:
        assert member.email == "ops@colony.example" and member.id.startswith("stf_")
        assert desk.service.by_id(member.id) == member
        assert desk.actions() == [(AuditAction.staff_created, member.id)]
    else:
        assert desk.actions() == []


def test_an_email_is_one_staff_members(desk: Desk) -> None:
    _member(desk)
    assert desk.service.create("OPS@colony.example", "Other", Role.risk, PASSWORD)[0] is (
        R.email_taken
    )


def test_the_totp_secret_is_sealed_at_rest(desk: Desk) -> None:
    member = _member(desk)
    with desk.store._tables.session() as db:
        (stored,) = db.execute("SELECT secret FROM staff").fetchone()
    assert member.totp_secret not in str(stored) and str(stored).startswith("cs1.")
    uri = totp.provisioning_uri(member.totp_secret, member.email)
    assert uri.startswith("otpauth://totp/Colony:ops%40colony.example?secret=")


def test_sign_in_with_the_password_then_a_code(desk: Desk) -> None:
    member = _member(desk)
    checked = desk.service.check_password("OPS@colony.example", PASSWORD)
    assert checked.result is R.ok and checked.member == member
    assert desk.service.check_totp(member.id, desk.code(member)) is R.ok
    assert desk.actions()[-1] == (AuditAction.sign_in, member.id)


@pytest.mark.parametrize(
    ("offset_s", "expected"),
    [
        (0, R.ok),
        (-totp_step_s, R.ok),  # the phone's clock a step behind
        (totp_step_s, R.ok),  # or ahead
        (-2 * totp_step_s, R.totp_wrong),
        (2 * totp_step_s, R.totp_wrong),
    ],
)
def test_the_code_window(desk: Desk, offset_s: int, expected: R) -> None:
    member = _member(desk)
    assert desk.service.check_totp(member.id, desk.code(member, offset_s)) is expected


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_a_malformed_code_is_wrong(desk: Desk, code: str) -> None:
    assert desk.service.check_totp(_member(desk).id, code) is R.totp_wrong


def test_a_code_is_taken_once_and_never_an_older_one(desk: Desk) -> None:
    member = _member(desk)
    code = desk.code(member)
    assert desk.service.check_totp(member.id, code) is R.ok
    assert desk.service.check_totp(member.id, code) is R.totp_reused  # a replay
    earlier = desk.code(member, -totp_step_s)
    assert desk.service.check_totp(member.id, earlier) is R.totp_reused  # still in the window
    desk.clock.advance(totp_step_s)
    assert desk.service.check_totp(member.id, desk.code(member)) is R.ok


def test_wrong_codes_lock_the_second_step(desk: Desk) -> None:
    member = _member(desk)
    right = desk.code(member)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(attempts_max):
        assert desk.service.check_totp(member.id, wrong) is R.totp_wrong
    assert desk.service.check_totp(member.id, right) is R.totp_locked  # even the right one
    desk.clock.advance(lock_s)
    assert desk.service.check_totp(member.id, desk.code(member)) is R.ok


def test_wrong_passwords_lock_through_credentials(desk: Desk) -> None:
    _member(desk)
    results = [desk.service.check_password("ops@colony.example", "not the password").result]
    results += [
        desk.service.check_password("ops@colony.example", "not the password").result
        for _ in range(attempts_max - 1)
    ]
    assert results == [R.wrong_password] * (attempts_max - 1) + [R.locked]
    locked = desk.service.check_password("ops@colony.example", PASSWORD)
    assert locked.result is R.locked and locked.locked_until_ns > desk.clock.now_ns()
    desk.clock.advance(lock_s)
    assert desk.service.check_password("ops@colony.example", PASSWORD).result is R.ok


def test_an_unknown_email_is_refused_and_logged(desk: Desk) -> None:
    assert desk.service.check_password("nobody@colony.example", PASSWORD).result is (
        R.unknown_staff
    )
    (entry,) = desk.service.audit(None, 10)
    assert (entry.action, entry.staff_id, entry.target) == (
        AuditAction.sign_in_failed, "", "nobody@colony.example",
    )  # fmt: skip
    assert entry.detail == {"step": "password", "result": "unknown_staff"}


class CountingHasher(PasswordHasher):
    """CHEAP's argon2id, counting the comparisons it makes: the work a sign-in costs."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def _tries(service: StaffService, email: str, count: int) -> list[StaffResult]:
    return [service.check_password(email, "not the password").result for _ in range(count)]


@pytest.mark.parametrize("email", ["nobody@colony.example", "gone@colony.example",
                                   "new@colony.example"])  # fmt: skip
def test_an_email_with_no_password_to_check_costs_and_locks_as_a_wrong_password(
    store_url: str, email: str
) -> None:
    """No such staff member, one disabled, one added who has not used their set-up link:
    each try costs one argon2 comparison, as a wrong password does, the try that reaches
    `attempts_max` locks for `lock_s` (no comparison while locked), and the count starts
    again after it: the page cannot tell them from a member, by its answers nor its time."""
    clock = ManualClock()
    store, credentials = open_staff_store(store_url), open_credential_store(store_url)
    hasher = CountingHasher()
    service = StaffService(
        store,
        CredentialService(credentials, clock, hasher),
        clock,
        IdGenerator(clock, random.Random(7)),
    )
    try:
        _, known = service.create("ops@colony.example", "Olli Operator", Role.operations, PASSWORD)
        assert known is not None
        if email.startswith("gone"):
            _, gone = service.create(email, "Gone Person", Role.support, PASSWORD)
            assert gone is not None and store.change(gone.id, None, False) is R.ok
        if email.startswith("new"):
            _, added = service.create(email, "New Person", Role.support, PASSWORD)
            assert added is not None
            with credentials._tables.transaction() as db:  # as the roster adds one: no password
                db.execute("DELETE FROM credentials WHERE subject = ?", (added.credential_subject,))
        answers = {}
        for who in ("ops@colony.example", email):
            hasher.verified = 0
            results = _tries(service, who, attempts_max + 2)
            locked = service.check_password(who, "not the password")
            answers[who] = (
                [r is R.locked for r in results], hasher.verified,
                locked.locked_until_ns - clock.now_ns(),
            )  # fmt: skip
        assert answers[email] == answers["ops@colony.example"] == (
            [False] * (attempts_max - 1) + [True] * 3, attempts_max, lock_s * NS_PER_S,
        )  # fmt: skip
        clock.advance(lock_s)  # the lock has passed: the count starts again
        assert [r is R.locked for r in _tries(service, email, attempts_max)] == (
            [False] * (attempts_max - 1) + [True]
        )
        # The tries and the lock are read from the audit log: no row was made for them.
        with credentials._tables.session() as db:
            (subjects,) = db.execute("SELECT count(*) FROM credentials").fetchone()
        assert subjects == (1 if email.startswith("nobody") or email.startswith("new") else 2)
        assert len(store.failed_sign_ins(email, 100)) == 2 * attempts_max + 3
    finally:
        store.close()
        credentials.close()


def test_every_action_writes_one_entry_newest_first_paged_by_id(desk: Desk) -> None:
    member = _member(desk)
    desk.service.check_password(member.email, "wrong password!")
    desk.service.check_password(member.email, PASSWORD)
    desk.service.check_totp(member.id, "000000" if desk.code(member) != "000000" else "111111")
    desk.service.check_totp(member.id, desk.code(member))
    frozen = desk.service.record(
        member.id, AuditAction.wallet_frozen, "wal_1", "suspected fraud", balance_minor=10
    )
    assert frozen.detail == {"balance_minor": 10}
    assert [a for a, _ in desk.actions()] == [
        AuditAction.staff_created,
        AuditAction.sign_in_failed,
        AuditAction.sign_in_failed,
        AuditAction.sign_in,
        AuditAction.wallet_frozen,
    ]  # fmt: skip  (a right password alone is no sign-in: the code is)
    newest = desk.service.audit(None, 2)
    assert [e.action for e in newest] == [AuditAction.wallet_frozen, AuditAction.sign_in]
    older = desk.service.audit(newest[-1].id, 10)
    assert len(older) == 3 and older[0].id < newest[-1].id
    assert desk.service.audit(older[-1].id, 10) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE staff_audit SET reason = 'x'", "DELETE FROM staff_audit"]
)
def test_the_audit_log_refuses_to_be_changed(desk: Desk, statement: str) -> None:
    _member(desk)
    with pytest.raises(Exception, match="append-only"), desk.store._tables.session() as db:
        db.execute(statement)
    assert len(desk.service.audit(None, 10)) == 1
    assert not hasattr(desk.store, "update") and not hasattr(desk.store, "delete")


def test_the_console_home_says_what_every_permission_allows() -> None:
    assert set(PERMISSION_TEXTS) == set(Permission)


@pytest.mark.parametrize("email", ["ops@colony.example", "nobody@colony.example"])
def test_tries_at_one_moment_lock_at_the_same_try_for_a_member_and_a_stranger(
    desk: Desk, email: str
) -> None:
    """Eight wrong passwords sent together: a member's and an unknown email's are counted one
    after another alike, so as many are answered before the lock for each (a burst cannot
    tell who is staff by how many it gets to try)."""
    _member(desk)
    start = threading.Barrier(8)
    answers: list[R] = []

    def attempt() -> None:
        start.wait()
        answers.append(desk.service.check_password(email, "not the password").result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is R.locked for r in answers) == [False] * (attempts_max - 1) + [True] * (
        8 - attempts_max + 1
    )


@pytest.mark.parametrize("email", ["ops@colony.example", "nobody@colony.example"])
def test_tries_at_one_moment_to_two_workers_lock_at_the_same_try(
    desk: Desk, store_url: str, email: str
) -> None:
    """As above, with the eight tries shared by two workers (`colony serve --workers 2`):
    each its own connections and its own service, so nothing in one process makes the tries
    take turns. A hasher of a few milliseconds leaves the other worker time to count between
    a try's read of the count and its write, as the console's real one (tens) does."""
    _member(desk)
    slower = PasswordHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1)
    workers: list[tuple[StaffService, SqlStaffStore, SqlCredentialStore]] = []
    for n in range(2):
        store, credentials = open_staff_store(store_url), open_credential_store(store_url)
        ids = IdGenerator(desk.clock, random.Random(100 + n))
        checker = CredentialService(credentials, desk.clock, slower)
        workers.append((StaffService(store, checker, desk.clock, ids), store, credentials))
    start = threading.Barrier(8)
    answers: list[R] = []

    def attempt(service: StaffService) -> None:
        start.wait()
        answers.append(service.check_password(email, "not the password").result)

    threads = [threading.Thread(target=attempt, args=(workers[n % 2][0],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _, store, credentials in workers:
        store.close()
        credentials.close()
    assert sorted(r is R.locked for r in answers) == [False] * (attempts_max - 1) + [True] * (
        8 - attempts_max + 1
    )
