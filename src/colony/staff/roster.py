"""Staff managed from the console by an admin (docs/adr/0042): adding a member, changing
their role, disabling and enabling them, resetting their TOTP; and the one-time set-up link
through which a member added (or reset) chooses a password and adds their authenticator app.

The admin never sees the member's password nor their TOTP secret: they see a link, once, to
hand over, and the member sees the secret on the link's page and proves it with a code
before the link is spent. The link's token is kept only as its SHA-256.

Every change writes one audit entry after it was made. The last active admin is kept by the
store (`StaffStore.change`), in the transaction that makes the change.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from colony.credentials import CredentialResult, CredentialService, SecretKind, refusal_of
from colony.kernel.clock import NS_PER_S, Clock
from colony.staff import totp
from colony.staff.model import (
    AuditAction,
    Role,
    SetUp,
    StaffMember,
    setup_link_ttl_s,
    setup_token_bytes,
    staff_reason_chars_max,
)
from colony.staff.results import StaffResult
from colony.staff.service import (
    STAFF_RESULT_OF_CHECK,
    STAFF_RESULT_OF_PASSWORD,
    StaffService,
    identity_refusal,
    normal_email,
)
from colony.staff.store import StaffTables

# Ends every console session of a staff member; how many it ended.
EndSessions = Callable[[str], int]


@dataclass(frozen=True)
class SetUpLink:
    """A set-up link made for a member: its token is shown once, to the admin who made it."""

    result: StaffResult
    member: StaffMember | None = None
    token: str = ""
    expires_at_ns: int = 0


def setup_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffRoster:
    def __init__(
        self,
        staff: StaffService,
        store: StaffTables,
        credentials: CredentialService,
        clock: Clock,
        end_sessions: EndSessions,
        token_bytes: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._staff = staff
        self._store = store
        self._credentials = credentials
        self._clock = clock
        self._end_sessions = end_sessions
        self._token_bytes = token_bytes

    def page(self, after_id: str | None, limit: int) -> list[StaffMember]:
        return self._store.page(after_id, limit)

    # An admin's changes ------------------------------------------------------------------

    def add(
        self, email: str, name: str, role: Role, *, by: StaffMember, staff_id: str
    ) -> SetUpLink:
        """A new member, who signs in only after using their set-up link. `staff_id` is
        the caller's (derived from its form, so a form sent twice adds one member)."""
        email, name = normal_email(email), name.strip()
        refused = identity_refusal(email, name)
        if refused is not StaffResult.ok:
            return SetUpLink(refused)
        token, expires_at_ns = self._new_link()
        member = StaffMember(
            staff_id, email, name, role, totp.new_secret(), True, self._clock.now_ns(),
            SetUp.password_and_totp, expires_at_ns,
        )  # fmt: skip
        if not self._store.add(member, setup_digest(token)):
            return SetUpLink(StaffResult.email_taken)
        self._staff.record(
            by.id, AuditAction.staff_created, member.id, "", role=role.value, email=email,
            setup_expires_at_ns=expires_at_ns,
        )  # fmt: skip
        return SetUpLink(StaffResult.ok, member, token, expires_at_ns)

    def change_role(
        self, staff_id: str, role: Role, reason: str, *, by: StaffMember
    ) -> StaffResult:
        """A new role, from their next click. An admin may hand their own role over, while
        another admin remains."""
        member, refused = self._target(staff_id, reason, by, own_refused=False)
        if member is None:
            return refused
        changed = self._store.change(member.id, role, None)
        if changed is StaffResult.ok:
            self._staff.record(
                by.id, AuditAction.staff_role_changed, member.id, reason.strip(),
                was=member.role.value, now=role.value,
            )  # fmt: skip
        return changed

    def disable(self, staff_id: str, reason: str, *, by: StaffMember) -> StaffResult:
        """They cannot sign in, and their console sessions end now."""
        return self._set_active(staff_id, False, reason, by)

    def enable(self, staff_id: str, reason: str, *, by: StaffMember) -> StaffResult:
        return self._set_active(staff_id, True, reason, by)

    def _set_active(self, staff_id: str, active: bool, reason: str, by: StaffMember) -> StaffResult:
        # Enabling oneself is no question (one is signed in, so active): `already_active`.
        member, refused = self._target(staff_id, reason, by, own_refused=not active)
        if member is None:
            return refused
        changed = self._store.change(member.id, None, active)
        if changed is not StaffResult.ok:
            return changed
        if active:
            self._staff.record(by.id, AuditAction.staff_enabled, member.id, reason.strip())
        else:
            ended = self._end_sessions(member.id)
            self._staff.record(
                by.id, AuditAction.staff_disabled, member.id, reason.strip(), sessions_ended=ended
            )
        return changed

    def reset_totp(self, staff_id: str, reason: str, *, by: StaffMember) -> SetUpLink:
        """A new TOTP secret (the old app's codes stop working now, and their sessions end)
        and a new set-up link, which replaces any earlier one. A member who never chose a
        password chooses one through it too."""
        member, refused = self._target(staff_id, reason, by, own_refused=True)
        if member is None:
            return SetUpLink(refused)
        if not member.active:
            return SetUpLink(StaffResult.inactive)
        has_password = self._credentials.is_set(member.credential_subject)
        setup = SetUp.totp if has_password else SetUp.password_and_totp
        token, expires_at_ns = self._new_link()
        secret = totp.new_secret()
        if not self._store.start_setup(
            member.id, setup, setup_digest(token), expires_at_ns, secret
        ):
            return SetUpLink(StaffResult.unknown_staff)
        ended = self._end_sessions(member.id)
        self._staff.record(
            by.id, AuditAction.staff_totp_reset, member.id, reason.strip(), sessions_ended=ended,
            setup_expires_at_ns=expires_at_ns,
        )  # fmt: skip
        return SetUpLink(StaffResult.ok, self._store.by_id(member.id), token, expires_at_ns)

    def _target(
        self, staff_id: str, reason: str, by: StaffMember, *, own_refused: bool
    ) -> tuple[StaffMember | None, StaffResult]:
        member = self._store.by_id(staff_id)
        if member is None:
            return None, StaffResult.unknown_staff
        if not reason.strip() or len(reason.strip()) > staff_reason_chars_max:
            return None, StaffResult.invalid_reason
        if own_refused and member.id == by.id:
            return None, StaffResult.own_account
        return member, StaffResult.ok

    def _new_link(self) -> tuple[str, int]:
        token = self._token_bytes(setup_token_bytes).hex()
        return token, self._clock.now_ns() + setup_link_ttl_s * NS_PER_S

    # The member's set-up ------------------------------------------------------------------

    def setup_of(self, token: str) -> tuple[StaffResult, StaffMember | None]:
        """Whose set-up link this is, if it still works: `ok` and the member, else why not."""
        member = self._store.by_setup(setup_digest(token))
        if member is None:
            return StaffResult.setup_unknown, None
        if self._clock.now_ns() >= member.setup_expires_at_ns:
            return StaffResult.setup_expired, None
        if not member.active:
            return StaffResult.inactive, None
        return StaffResult.ok, member

    def finish_setup(
        self, token: str, password: str, code: str
    ) -> tuple[StaffResult, StaffMember | None]:
        """Use the link: a new password (or, after a TOTP reset, the member's own, counted
        as a sign-in try), then a code from the app the secret was just added to. The code
        is taken, as at sign-in, so it cannot sign anyone in again."""
        result, member = self.setup_of(token)
        if member is None:
            return result, None
        subject = member.credential_subject
        if member.setup is SetUp.password_and_totp:
            refused = refusal_of(SecretKind.password, password)
            if refused is not CredentialResult.ok:
                return STAFF_RESULT_OF_PASSWORD[refused], None
        else:
            checked = STAFF_RESULT_OF_CHECK[self._credentials.check(subject, password).result]
            if checked is not StaffResult.ok:
                return checked, None
        now_s = self._clock.now_ns() // NS_PER_S
        step = totp.matching_step(member.totp_secret, code.strip(), now_s)
        if step is None:
            return StaffResult.totp_wrong, None
        if member.setup is SetUp.password_and_totp:
            # Set before the link is spent: a crash between the two leaves the link working.
            stored = self._credentials.set(subject, SecretKind.password, password)
            assert stored is CredentialResult.ok, stored
        if not self._store.finish_setup(member.id, setup_digest(token)):
            return StaffResult.setup_unknown, None  # used meanwhile, by a form sent twice
        self._store.take_totp_step(member.id, step)
        self._staff.record(
            member.id, AuditAction.staff_set_up, member.id, "", setup=member.setup.value
        )
        # Using the link proved the password and a code: it signs them in.
        self._staff.record(member.id, AuditAction.sign_in, member.id, "", via="setup")
        return StaffResult.ok, self._store.by_id(member.id)
