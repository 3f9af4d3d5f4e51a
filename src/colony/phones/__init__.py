"""Phones: proving that a person holds a number or an email address (a one-time code sent by
SMS or by mail), and the SMS and email sender interfaces with their defaults, the operator's
outboxes."""

from __future__ import annotations

from colony.phones.mail import EmailOutboxSender, EmailSender
from colony.phones.model import (
    EmailMessage,
    PhoneVerification,
    Purpose,
    SmsMessage,
    code_attempts_max,
    code_digits,
    code_ttl_s,
    codes_per_phone_max,
    codes_per_phone_window_s,
)
from colony.phones.results import ProofResult
from colony.phones.service import (
    CODE_PEPPER_PURPOSE,
    PhoneProofService,
    email_address,
    is_phone_number,
)
from colony.phones.sms import OutboxSender, SmsSender
from colony.phones.sql_store import SqlPhoneStore, open_phone_store
from colony.phones.store import EmailOutboxStore, OutboxStore, PhoneStore, VerificationStore

__all__ = [
    "CODE_PEPPER_PURPOSE",
    "EmailMessage",
    "EmailOutboxSender",
    "EmailOutboxStore",
    "EmailSender",
    "OutboxSender",
    "OutboxStore",
    "PhoneProofService",
    "PhoneStore",
    "PhoneVerification",
    "ProofResult",
    "Purpose",
    "SmsMessage",
    "SmsSender",
    "SqlPhoneStore",
    "VerificationStore",
    "code_attempts_max",
    "code_digits",
    "code_ttl_s",
    "codes_per_phone_max",
    "codes_per_phone_window_s",
    "email_address",
    "is_phone_number",
    "open_phone_store",
]
