"""Staff members (the people who run Colony from the console), what each role may do, and
the audit log's entries.

A staff member signs in with a password (kept by `credentials`, subject `staff:<id>`) and a
6-digit code from an authenticator app (TOTP, RFC 6238), whose shared secret is sealed at
rest. Every change a staff member makes is one entry of the append-only audit log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    operations = "operations"  # runs the platform day to day
    risk = "risk"  # fraud and compliance: freezes wallets, suspends merchants
    finance = "finance"  # treasury and settlement: reads money, changes no wallet
    support = "support"  # answers people: reads, freezes a wallet on a report
    read_only = "read_only"  # auditors, newcomers: reads only
    admin = "admin"  # manages the staff themselves: adds them, their roles, access (docs/adr/0042)


class Permission(enum.StrEnum):
    read = "read"  # every console page that shows records
    read_sms_outbox = "read_sms_outbox"  # texts hold live sign-in codes
    freeze_wallets = "freeze_wallets"  # freeze and unfreeze
    onboard_merchants = "onboard_merchants"  # a new merchant, its accounts and API key
    refund_payments = "refund_payments"  # money back to a payer, on the merchant's behalf
    retry_webhooks = "retry_webhooks"  # one more delivery of a failed webhook event
    pay_out_merchants = "pay_out_merchants"  # a merchant's day paid out to its bank
    manage_staff = "manage_staff"  # add staff, change their role, disable them, reset their TOTP
    # answer escalated complaints, credit goodwill, open and decide disputes (docs/adr/0053)
    handle_complaints = "handle_complaints"
    # decide payments held for risk review, edit risk rules' thresholds and modes (ADR 0055)
    manage_risk = "manage_risk"
    # ask for a merchant's credit score now, recorded in its history (docs/adr/0065)
    score_merchants = "score_merchants"
    # stop a merchant taking payments, and let it again (docs/adr/0114)
    suspend_merchants = "suspend_merchants"


# Everything but managing staff and risk control (the risk role's own): the day-to-day work.
_DAY_TO_DAY = frozenset(Permission) - {Permission.manage_staff, Permission.manage_risk}
# Who may do what: a role holds exactly the permissions listed (tests/staff/test_staff.py).
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.operations: _DAY_TO_DAY,
    Role.risk: frozenset(
        {
            Permission.read,
            Permission.freeze_wallets,
            Permission.suspend_merchants,
            Permission.manage_risk,
        }
    ),
    Role.support: _DAY_TO_DAY
    - {
        Permission.onboard_merchants,
        Permission.pay_out_merchants,
        Permission.score_merchants,
        Permission.suspend_merchants,
    },
    Role.finance: frozenset(
        {
            Permission.read,
            Permission.refund_payments,
            Permission.pay_out_merchants,
            Permission.score_merchants,
        }
    ),
    Role.read_only: frozenset({Permission.read}),
    # Whoever grants access uses none of it: an admin reads, and manages staff only.
    Role.admin: frozenset({Permission.read, Permission.manage_staff}),
}


def may(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


# An email address's length, in characters (RFC 5321's path limit), and a name's.
email_chars_max = 254
name_chars_max = 100
# TOTP (RFC 6238): 6 digits per 30-second step, and one step either side accepted, for a
# phone's clock a little off and a code typed as it turned.
totp_digits = 6
totp_step_s = 30
totp_window_steps = 1
# Who the authenticator app says the code is for.
TOTP_ISSUER = "Colony"
# Staff members per page of the console's list.
staff_page_rows = 50
# How long a set-up link works, in seconds: three days, so one made on a Friday still works
# on the Monday.
setup_link_ttl_s = 3 * 86_400
# Random bytes in a set-up link's token (only its SHA-256 is kept).
setup_token_bytes = 32
# A reason typed for a change to a staff member's access, in characters.
staff_reason_chars_max = 500


class SetUp(enum.StrEnum):
    """What a staff member must still do, through their set-up link, before signing in."""

    done = "done"  # nothing: they sign in
    password_and_totp = "password_and_totp"  # added in the console: a password, then the app
    totp = "totp"  # their TOTP was reset: the app again, proving their password


@dataclass(frozen=True)
class StaffMember:
    id: str  # "stf_" + 32 hex digits
    email: str  # lower case
    name: str
    role: Role
    totp_secret: str  # base32; sealed in the table, open here
    active: bool
    created_at_ns: int
    setup: SetUp = SetUp.done
    setup_expires_at_ns: int = 0  # when the set-up link stops working (0: no link)

    @property
    def credential_subject(self) -> str:
        """Whose password it is in `credentials`."""
        return f"staff:{self.id}"


class AuditAction(enum.StrEnum):
    staff_created = "staff_created"
    password_set = "password_set"
    sign_in = "sign_in"
    sign_in_failed = "sign_in_failed"
    sign_out = "sign_out"
    wallet_frozen = "wallet_frozen"
    wallet_unfrozen = "wallet_unfrozen"
    merchant_onboarded = "merchant_onboarded"
    payment_refunded = "payment_refunded"
    webhook_retried = "webhook_retried"
    merchant_paid_out = "merchant_paid_out"
    staff_role_changed = "staff_role_changed"
    staff_disabled = "staff_disabled"
    staff_enabled = "staff_enabled"
    staff_totp_reset = "staff_totp_reset"  # a new secret and set-up link; the old app is void
    staff_set_up = "staff_set_up"  # the member used their set-up link
    # A person's data read in the console (a wallet's page, texts or mail to a number or
    # address): who looked at whom, and when.
    personal_data_viewed = "personal_data_viewed"
    # Complaints and disputes (docs/adr/0053).
    complaint_answered = "complaint_answered"
    goodwill_credited = "goodwill_credited"
    dispute_opened = "dispute_opened"
    dispute_decided = "dispute_decided"
    # Risk control (docs/adr/0055).
    risk_review_approved = "risk_review_approved"
    risk_review_declined = "risk_review_declined"
    risk_rule_changed = "risk_rule_changed"
    # Credit (docs/adr/0065).
    merchant_scored = "merchant_scored"
    # A merchant stopped taking payments, and let again (docs/adr/0114).
    merchant_suspended = "merchant_suspended"
    merchant_reinstated = "merchant_reinstated"


# Audit entries shown per page of the console's log.
audit_page_entries = 50


@dataclass(frozen=True)
class AuditEntry:
    """One thing a staff member did; never changed nor deleted once written."""

    id: str  # "aud_" + a time-ordered id: the log pages by it, newest first
    at_ns: int
    staff_id: str  # "" when no staff member is known (an unknown email; the command line)
    action: AuditAction
    target: str  # what it was done to: a wallet id, a staff id, an email tried
    reason: str  # why, as the staff member typed it ("" when the action takes none)
    detail: dict[str, str | int] = field(default_factory=dict)
