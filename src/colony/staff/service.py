"""Adding staff members, signing them in (a password, then a code from their authenticator
app), and the audit log every change they make is written to.

Sign-in writes its own entries (`sign_in`, `sign_in_failed`); the console's pages write the
entry of each change they make through `record`, after the change was made, so a refused or
forbidden action writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from colony.credentials import (
    CredentialResult,
    CredentialService,
    SecretKind,
    attempts_max,
    lock_s,
    refusal_of,
)
from colony.kernel import lock_order
from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.ids import IdGenerator
from colony.staff import totp
from colony.staff.audit_chain import Checker, Verdict
from colony.staff.model import (
    AuditAction,
    AuditEntry,
    Role,
    SetUp,
    StaffMember,
    email_chars_max,
    name_chars_max,
)
from colony.staff.results import StaffResult
from colony.staff.store import StaffTables

# Links of the audit chain read per page while verifying it.
audit_verify_page_links = 1_000

# One "@", something either side, a dot in the domain; the mailbox proves the rest.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# What a password's refusal means for adding a staff member: an explicit table.
STAFF_RESULT_OF_PASSWORD = {
    CredentialResult.malformed_secret: StaffResult.malformed_password,
    CredentialResult.weak_secret: StaffResult.weak_password,
}
# What a password check means for signing in.
STAFF_RESULT_OF_CHECK = {
    CredentialResult.ok: StaffResult.ok,
    CredentialResult.not_set: StaffResult.unknown_staff,
    CredentialResult.locked: StaffResult.locked,
    CredentialResult.wrong_secret: StaffResult.wrong_password,
    CredentialResult.malformed_secret: StaffResult.wrong_password,
    CredentialResult.weak_secret: StaffResult.wrong_password,
}


@dataclass(frozen=True)
class PasswordOutcome:
    result: StaffResult
    member: StaffMember | None = None  # set when the password was right
    attempts_left: int = 0
    locked_until_ns: int = 0


# The results an email with no password to check is refused with: each is one wrong try.
# Locks that make an email's tries without a password take turns (`_no_password`): emails
# share them by a hash, so the set stays this size.
no_password_stripes = 64
_COUNTED_RESULTS = frozenset({StaffResult.unknown_staff.name, StaffResult.inactive.name})


def unknown_email_state(newest_first: list[AuditEntry], now_ns: int) -> tuple[int, int]:
    """(wrong tries counted, locked until or 0) of an email with no password to check, from
    its `sign_in_failed` entries, newest first: credentials' rules replayed. The try that
    reached `attempts_max` wrote the lock's end (`locked_until_ns`), and so did every try
    answered while locked; the tries since a lock ended count again. Any other entry (from
    when the member had a password, or a code's step) ends the count: older ones are not
    this email's tries at no password."""
    counted = 0
    for entry in newest_first:
        if entry.detail.get("step") != "password":
            break
        until = entry.detail.get("locked_until_ns")
        if isinstance(until, int):
            locked = counted == 0 and until > now_ns
            return (0, until) if locked else (counted, 0)
        if entry.detail.get("result") not in _COUNTED_RESULTS:
            break
        counted += 1
    return counted, 0


def normal_email(text: str) -> str:
    return text.strip().lower()


def identity_refusal(email: str, name: str) -> StaffResult:
    """Why an email and a name (normalised) cannot be a staff member's, or `ok`."""
    if len(email) > email_chars_max or not _EMAIL.fullmatch(email):
        return StaffResult.invalid_email
    if not name or len(name) > name_chars_max:
        return StaffResult.invalid_name
    return StaffResult.ok


class StaffService:
    def __init__(
        self,
        store: StaffTables,
        credentials: CredentialService,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._store = store
        self._credentials = credentials
        self._clock = clock
        self._ids = ids
        # An email with no password counts its tries read-then-written in the audit log:
        # tries for one email at one moment take turns, as a member's do in credentials,
        # so a burst gets as many tries before the lock for either (one lock per stripe of
        # emails: a bounded set, whatever is typed).
        self._no_password_turns = [
            lock_order.lock("staff sign-in without a password") for _ in range(no_password_stripes)
        ]

    # Staff --------------------------------------------------------------------------------

    def create(
        self, email: str, name: str, role: Role, password: str, *, by: str = ""
    ) -> tuple[StaffResult, StaffMember | None]:
        """Add a staff member with a new TOTP secret (theirs to put in an authenticator app,
        shown once: `totp.provisioning_uri`). `by`: the staff member adding them ("" from
        the command line)."""
        email, name = normal_email(email), name.strip()
        refused_identity = identity_refusal(email, name)
        if refused_identity is not StaffResult.ok:
            return refused_identity, None
        refused = refusal_of(SecretKind.password, password)
        if refused is not CredentialResult.ok:
            return STAFF_RESULT_OF_PASSWORD[refused], None
        member = StaffMember(
            f"stf_{self._ids.new_id():032x}", email, name, role, totp.new_secret(), True,
            self._clock.now_ns(),
        )  # fmt: skip
        if not self._store.add(member):
            return StaffResult.email_taken, None
        assert self._credentials.set(member.credential_subject, SecretKind.password, password) is (
            CredentialResult.ok
        )
        self.record(by, AuditAction.staff_created, member.id, "", role=role.value, email=email)
        return StaffResult.ok, member

    def by_id(self, staff_id: str) -> StaffMember | None:
        return self._store.by_id(staff_id)

    def by_email(self, email: str) -> StaffMember | None:
        return self._store.by_email(normal_email(email))

    def set_password(self, member: StaffMember, password: str, *, by: str = "") -> StaffResult:
        """Give a staff member a new password (the caller has the right to)."""
        refused = self._credentials.set(member.credential_subject, SecretKind.password, password)
        if refused is not CredentialResult.ok:
            return STAFF_RESULT_OF_PASSWORD[refused]
        self.record(by, AuditAction.password_set, member.id, "")
        return StaffResult.ok

    # Signing in ---------------------------------------------------------------------------

    def check_password(self, email: str, password: str) -> PasswordOutcome:
        """The first step: the password of the staff member with this email (each call is
        one try, counted by credentials with its lock). A member whose set-up link is not
        used yet is told so, once their password is right: their TOTP secret was reset.
        An email with no password to check is answered as a wrong password (`_no_password`)."""
        email = normal_email(email)[:email_chars_max]
        member = self._store.by_email(email)
        if member is None or not member.active:
            return self._no_password(member, email, password)
        checked = self._credentials.check(member.credential_subject, password)
        if checked.result is CredentialResult.not_set:  # added, its set-up link not used
            return self._no_password(member, email, password)
        result = STAFF_RESULT_OF_CHECK[checked.result]
        if result is not StaffResult.ok:
            self._failed(member.id, email, "password", result)
            return PasswordOutcome(result, None, checked.attempts_left, checked.locked_until_ns)
        if member.setup is not SetUp.done:
            self._failed(member.id, email, "password", StaffResult.setup_pending)
            return PasswordOutcome(StaffResult.setup_pending)
        return PasswordOutcome(StaffResult.ok, member, checked.attempts_left)

    def check_totp(self, staff_id: str, code: str) -> StaffResult:
        """The second step: a code from the staff member's authenticator app, good once."""
        member = self._store.by_id(staff_id)
        if member is None or not member.active:
            return StaffResult.unknown_staff if member is None else StaffResult.inactive
        now_ns = self._clock.now_ns()
        result = StaffResult.ok
        if not self._store.take_totp_try(member.id, attempts_max, now_ns, lock_s * NS_PER_S):
            result = StaffResult.totp_locked
        else:
            step = totp.matching_step(member.totp_secret, code.strip(), now_ns // NS_PER_S)
            if step is None:
                result = StaffResult.totp_wrong
            elif not self._store.take_totp_step(member.id, step):
                result = StaffResult.totp_reused
        if result is not StaffResult.ok:
            self._failed(member.id, member.email, "totp", result)
            return result
        self.record(member.id, AuditAction.sign_in, member.id, "")
        return StaffResult.ok

    def _no_password(
        self, member: StaffMember | None, email: str, password: str
    ) -> PasswordOutcome:
        """A try for an email with no password to check (no such staff member, one disabled,
        one not set up yet), answered as a wrong password is, so the page tells nobody who is
        staff: the same argon2 work, and locked at the `attempts_max`-th try for `lock_s`,
        with no argon2 while locked, as credentials does. The count is read from the audit
        log's own entries for the email (`unknown_email_state`): an unknown email's tries
        add no row but the log's one for each try, which every try writes anyway.

        The try is counted and its entry appended in one step for every process
        (`append_after_failed_sign_ins`), before argon2: nobody's password can be right, so
        the answer is known first, and tries sent together to several workers are counted
        one after another as a member's are. Tries in this process also take turns (one of
        `no_password_stripes` locks), so they do not race for the log's next place."""
        staff_id = "" if member is None else member.id
        wrong = StaffResult.inactive if member and not member.active else StaffResult.unknown_staff
        now_ns = self._clock.now_ns()
        decided: list[tuple[PasswordOutcome, bool]] = []  # and whether argon2 is owed

        def decide(recent: list[AuditEntry]) -> AuditEntry:
            counted, locked_until_ns = unknown_email_state(recent, now_ns)
            checked = not locked_until_ns  # no argon2 while a lock holds, as credentials
            if checked:
                counted += 1
                if counted >= attempts_max:
                    locked_until_ns = now_ns + lock_s * NS_PER_S
            if locked_until_ns:
                outcome = PasswordOutcome(StaffResult.locked, None, 0, locked_until_ns)
                decided[:] = [(outcome, checked)]
                return self._failed_entry(staff_id, email, "password", StaffResult.locked,
                                          locked_until_ns=locked_until_ns)  # fmt: skip
            decided[:] = [(PasswordOutcome(wrong, None, attempts_max - counted), checked)]
            return self._failed_entry(staff_id, email, "password", wrong)

        turns = self._no_password_turns
        with turns[hash(email) % len(turns)]:
            self._store.append_after_failed_sign_ins(email, attempts_max, decide)
        outcome, checked = decided[0]
        if checked:
            self._credentials.check_nobody(password)
        return outcome

    def _failed(
        self, staff_id: str, email: str, step: str, result: StaffResult, **more: int
    ) -> None:
        self._store.append(self._failed_entry(staff_id, email, step, result, **more))

    def _failed_entry(
        self, staff_id: str, email: str, step: str, result: StaffResult, **more: int
    ) -> AuditEntry:
        detail: dict[str, str | int] = {"step": step, "result": result.name, **more}
        return self._entry(staff_id, AuditAction.sign_in_failed, email, "", detail)

    # The audit log ------------------------------------------------------------------------

    def record(
        self, staff_id: str, action: AuditAction, target: str, reason: str, **detail: str | int
    ) -> AuditEntry:
        """Append one entry to the audit log."""
        entry = self._entry(staff_id, action, target, reason, dict(detail))
        self._store.append(entry)
        return entry

    def _entry(
        self,
        staff_id: str,
        action: AuditAction,
        target: str,
        reason: str,
        detail: dict[str, str | int],
    ) -> AuditEntry:
        return AuditEntry(
            f"aud_{self._ids.new_id():032x}", self._clock.now_ns(), staff_id, action, target,
            reason, detail,
        )  # fmt: skip

    def verify_audit(self) -> Verdict:
        """Walk the audit log's hash chain from its first link (`audit_chain.py`)."""
        checker, after = Checker(), 0
        while links := self._store.links(after, audit_verify_page_links):
            if not all(checker.check(link) for link in links):
                break
            after = links[-1].seq
        return checker.verdict(self._store.unchained())

    def audit(self, before_id: str | None, limit: int) -> list[AuditEntry]:
        """The log, newest first: up to `limit` entries older than `before_id`."""
        return self._store.entries(before_id, limit)
