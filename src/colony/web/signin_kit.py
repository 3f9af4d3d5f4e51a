"""What every sign-in by a one-time code says and does, whichever screens it opens (the
wallet app's, web/app_pages.py; the merchant portal's, merchants/signin_pages.py): why a
code was not sent or not taken, and setting a first PIN or password typed twice.

Kept in one place so the two ways in cannot drift apart in what they tell a stranger: both
refuse a malformed number or address before looking anyone up, and both word a wrong,
expired or used-up code the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.credentials import CredentialResult, CredentialService, SecretKind
from colony.phones import ProofResult
from colony.web.i18n import N_, Texts

# Why a code was not sent, by whether it was to go by text or by mail.
_NOT_SENT = {
    ProofResult.invalid_phone: N_("Type the number with its country code, such as +65 8123 4567."),
    ProofResult.invalid_email: N_("Type an email address such as name@example.com."),
}
_TOO_MANY_TEXTS = N_("Too many codes went to this number: try in an hour.")
_TOO_MANY_MAILS = N_("Too many codes went to this address: try in an hour.")
# Why a typed code was not taken.
_NOT_TAKEN = {
    ProofResult.verification_not_found: N_("That code is not for this number."),
    ProofResult.attempts_exhausted: N_("Too many wrong codes: ask for a new one."),
    ProofResult.code_expired: N_("That code has expired: ask for a new one."),
    ProofResult.code_wrong: N_("That code is wrong: check the text and try again."),
}


def by_email(address: str) -> bool:
    """Whether a sign-in's code goes (or went) by mail: what was typed holds an @."""
    return "@" in address


def not_sent(t: Texts, result: ProofResult, address: str) -> tuple[int, str]:
    """The status and the words for a code that was not sent to `address`."""
    if result is ProofResult.too_many_codes:
        return 429, t(_TOO_MANY_MAILS if by_email(address) else _TOO_MANY_TEXTS)
    return 400, t(_NOT_SENT[result])


def not_taken(t: Texts, result: ProofResult) -> str:
    """The words for a typed code that proved nothing."""
    return t(_NOT_TAKEN[result])


@dataclass(frozen=True)
class SecretWords:
    differ: str
    malformed: str
    weak: str


_SECRET_WORDS = {
    SecretKind.pin: SecretWords(
        N_("The two PINs differ: type the same six digits twice."),
        N_("A PIN is six digits."),
        N_("That PIN is too easy to guess: avoid repeats and runs like 123456."),
    ),
    SecretKind.password: SecretWords(
        N_("The two passwords differ: type the same password twice."),
        N_("A password is 10 to 128 characters."),
        N_("That password is too easy to guess: use more different characters."),
    ),
}


def set_first_secret(
    t: Texts,
    credentials: CredentialService,
    subject: str,
    kind: SecretKind,
    typed: str,
    again: str,
) -> str | None:
    """Set `subject`'s first PIN or password from the two entries of a form: None when set,
    else what is wrong with them. The caller has checked none is set yet: a secret is
    changed by proving the old one, never replaced by a one-time code alone."""
    words = _SECRET_WORDS[kind]
    if typed != again:
        return t(words.differ)
    result = credentials.set(subject, kind, typed)
    if result is CredentialResult.malformed_secret:
        return t(words.malformed)
    if result is CredentialResult.weak_secret:
        return t(words.weak)
    assert result is CredentialResult.ok, result
    return None
