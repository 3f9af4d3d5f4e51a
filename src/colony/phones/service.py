"""Proving a phone number or an email address: send a one-time code (a text, or a mail),
then check what the person typed.

`start` answers the same for every well-formed number (a verification id, nothing else) and
never looks up whether the number has a wallet, so its answer and its work cannot tell a
stranger who is a customer. `check` counts every try before it compares, so concurrent
guesses share the one budget of `code_attempts_max`. A verification proved once stays proved
until it expires: the same code may be shown again by the same person (a retried or refused
wallet opening, a second currency), and never proves any other number or purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from colony.kernel.clock import NS_PER_S, Clock
from colony.phones.codes import code_digest, code_matches, new_code
from colony.phones.mail import EmailSender
from colony.phones.model import (
    EmailMessage,
    PhoneVerification,
    Purpose,
    SmsMessage,
    code_attempts_max,
    code_salt_bytes,
    code_ttl_s,
    codes_per_phone_max,
    codes_per_phone_window_s,
)
from colony.phones.results import ProofResult
from colony.phones.sms import SmsSender
from colony.phones.store import PhoneStore

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# An email address as mail systems take one: a local part, one @, a domain with a dot.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# The longest email address, in characters (RFC 5321's path limit less its brackets).
email_chars_max = 254
# Bytes of randomness in a verification id.
verification_id_bytes = 16
# What a code is salted with when only a request's copy of it is kept (`code_fingerprint`).
_REQUEST_SALT = b"colony:request-copy:"
# The shortest pepper taken, in bytes (an HMAC-SHA256 key of full strength is 32).
code_pepper_bytes_min = 32
# What the pepper is derived for, from the secrets key.
CODE_PEPPER_PURPOSE = "phone verification codes"


def code_text(code: str) -> str:
    """What the text says: the code first, so a phone can offer to fill it in."""
    return (
        f"{code} is your Colony code. It expires in {code_ttl_s // 60} minutes. "
        "Never share it: Colony will never ask you for it."
    )


def mail_subject(code: str) -> str:
    """The subject says the code too: a mail client shows it without opening the message."""
    return f"{code} is your Colony code"


def is_phone_number(phone: str) -> bool:
    """Whether `phone` is an E.164 number, as `start` takes one."""
    return _E164.fullmatch(phone) is not None


def email_address(typed: str) -> str | None:
    """`typed` as an email address in lower case (how it is kept and compared), or None."""
    address = typed.strip().lower()
    if len(address) > email_chars_max or not _EMAIL.fullmatch(address):
        return None
    return address


class PhoneProofService:
    def __init__(
        self,
        store: PhoneStore,
        sender: SmsSender,
        clock: Clock,
        token_bytes: Callable[[int], bytes],
        code_pepper: bytes,
        *,
        mailer: EmailSender,
    ) -> None:
        """`code_pepper`: the key every code's HMAC takes besides its salt (codes.py), from
        the secrets key (`SecretBox.derived_key`); never stored."""
        assert len(code_pepper) >= code_pepper_bytes_min, "a pepper is a key, not a label"
        self._store = store
        self._sender = sender
        self._mailer = mailer
        self._clock = clock
        self._token_bytes = token_bytes
        self._pepper = code_pepper

    def start(
        self, phone: str, purpose: Purpose, *, window_s: int = codes_per_phone_window_s
    ) -> tuple[ProofResult, PhoneVerification | None]:
        """Text a new code to `phone`: the verification to check it against. At most
        `codes_per_phone_max` codes go to one number in `window_s`; a caller whose own limit
        locks for a shorter time passes that window, so a lock it lifts is not kept here."""
        if not is_phone_number(phone):
            return ProofResult.invalid_phone, None
        return self._begin(
            phone, purpose, lambda code: self._sender.send(phone, code_text(code)), window_s
        )

    def start_email(
        self, address: str, purpose: Purpose, *, window_s: int = codes_per_phone_window_s
    ) -> tuple[ProofResult, PhoneVerification | None]:
        """Mail a new code to `address` (any case): the verification to check it against,
        whose address is in lower case. `window_s` as `start` takes it."""
        normal = email_address(address)
        if normal is None:
            return ProofResult.invalid_email, None
        return self._begin(
            normal,
            purpose,
            lambda code: self._mailer.send(normal, mail_subject(code), code_text(code)),
            window_s,
        )

    def _begin(
        self, address: str, purpose: Purpose, deliver: Callable[[str], None], window_s: int
    ) -> tuple[ProofResult, PhoneVerification | None]:
        now_ns = self._clock.now_ns()
        since_ns = now_ns - window_s * NS_PER_S
        if self._store.codes_sent_since(address, since_ns) >= codes_per_phone_max:
            return ProofResult.too_many_codes, None
        code = new_code(self._token_bytes)
        salt = self._token_bytes(code_salt_bytes)
        verification = PhoneVerification(
            id=f"pv_{self._token_bytes(verification_id_bytes).hex()}",
            address=address,
            purpose=purpose,
            salt=salt,
            code_sha256=code_digest(self._pepper, salt, code),
            created_at_ns=now_ns,
            expires_at_ns=now_ns + code_ttl_s * NS_PER_S,
        )
        # Kept before it is sent: a code that went out can always be checked.
        self._store.add_verification(verification)
        deliver(code)
        return ProofResult.ok, verification

    def check(self, verification_id: str, address: str, purpose: Purpose, code: str) -> ProofResult:
        """Whether `code` proves `address` (a number, or an email address in lower case) for
        `purpose` by this verification; each call is one try, the right code included
        (ProofResult says the order of the checks)."""
        found = self._store.verification(verification_id)
        if found is None or found.address != address or found.purpose is not purpose:
            return ProofResult.verification_not_found
        if not self._store.take_attempt(found.id, code_attempts_max):
            return ProofResult.attempts_exhausted
        now_ns = self._clock.now_ns()
        if now_ns >= found.expires_at_ns:
            return ProofResult.code_expired
        if not code_matches(self._pepper, found.salt, found.code_sha256, code):
            return ProofResult.code_wrong
        if found.proved_at_ns is None:
            self._store.mark_proved(found.id, now_ns)
        return ProofResult.ok

    def code_fingerprint(self, code: str) -> str:
        """What a request's copy of a code is kept as (its Idempotency-Key record): the same
        for the same code, so a retry still matches, but keyed by the pepper, so a reader of
        the database cannot find a 6-digit code by trying all of them."""
        return code_digest(self._pepper, _REQUEST_SALT, code).hex()

    def outbox(self, before_id: str | None, limit: int, phone: str | None) -> list[SmsMessage]:
        """The outbox the default sender writes, newest first (`OutboxStore.messages`)."""
        return self._store.messages(before_id, limit, phone)

    def email_outbox(
        self, before_id: str | None, limit: int, address: str | None
    ) -> list[EmailMessage]:
        """The mail the default sender queued, newest first (`EmailOutboxStore.emails`)."""
        return self._store.emails(before_id, limit, address)
