"""Credentials: the PINs people sign in and confirm payments with, and the passwords of
merchants and staff, kept only under a memory-hard hash, with tries counted and a lock."""

from __future__ import annotations

from colony.credentials.model import (
    CheckOutcome,
    SecretKind,
    attempts_max,
    lock_s,
    password_chars_max,
    password_chars_min,
    pin_digits,
)
from colony.credentials.results import CredentialResult
from colony.credentials.service import CredentialService, argon2_hasher, refusal_of
from colony.credentials.sql_store import open_credential_store
from colony.credentials.store import CredentialStore

__all__ = [
    "CheckOutcome",
    "CredentialResult",
    "CredentialService",
    "CredentialStore",
    "SecretKind",
    "argon2_hasher",
    "attempts_max",
    "lock_s",
    "open_credential_store",
    "password_chars_max",
    "password_chars_min",
    "pin_digits",
    "refusal_of",
]
