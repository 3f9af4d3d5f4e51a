"""Phones: proving that a person holds a number (a one-time code sent by SMS), and the SMS
sender interface with its default, the operator's outbox."""

from __future__ import annotations

from colony.phones.model import (
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
from colony.phones.service import CODE_PEPPER_PURPOSE, PhoneProofService
from colony.phones.sms import OutboxSender, SmsSender
from colony.phones.sql_store import SqlPhoneStore, open_phone_store
from colony.phones.store import OutboxStore, PhoneStore, VerificationStore

__all__ = [
    "CODE_PEPPER_PURPOSE",
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
    "open_phone_store",
]
