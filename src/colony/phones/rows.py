"""How verifications and outbox messages map to table rows, the same on every backend."""

from __future__ import annotations

from colony.phones.model import EmailMessage, PhoneVerification, Purpose, SmsMessage

VERIFICATION_COLUMNS = (
    "id, address, purpose, salt, code_sha256, created_at_ns, expires_at_ns, attempts, proved_at_ns"
)
MESSAGE_COLUMNS = "id, phone, text, created_at_ns"
EMAIL_COLUMNS = "id, address, subject, text, created_at_ns"


def verification_row(v: PhoneVerification) -> tuple[object, ...]:
    # Bytes as hex text: one column type on both backends, compared as text by nobody.
    return (
        v.id, v.address, v.purpose.value, v.salt.hex(), v.code_sha256.hex(), v.created_at_ns,
        v.expires_at_ns, v.attempts, v.proved_at_ns,
    )  # fmt: skip


def verification_of(row: tuple[object, ...]) -> PhoneVerification:
    vid, address, purpose, salt, digest, created, expires, attempts, proved = row
    return PhoneVerification(
        str(vid), str(address), Purpose(str(purpose)), bytes.fromhex(str(salt)),
        bytes.fromhex(str(digest)), int(str(created)), int(str(expires)), int(str(attempts)),
        None if proved is None else int(str(proved)),
    )  # fmt: skip


def message_row(m: SmsMessage) -> tuple[object, ...]:
    return (m.id, m.phone, m.text, m.created_at_ns)


def message_of(row: tuple[object, ...]) -> SmsMessage:
    mid, phone, text, created = row
    return SmsMessage(str(mid), str(phone), str(text), int(str(created)))


def email_row(m: EmailMessage) -> tuple[object, ...]:
    return (m.id, m.address, m.subject, m.text, m.created_at_ns)


def email_of(row: tuple[object, ...]) -> EmailMessage:
    mid, address, subject, text, created = row
    return EmailMessage(str(mid), str(address), str(subject), str(text), int(str(created)))
