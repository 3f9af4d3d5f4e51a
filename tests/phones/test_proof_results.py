"""Every result of proving a number, as a table: what was done, what `check` answers. A
verification is proved only by its own code, for its own number and purpose, before it
expires and within its tries; the code is sent, and kept only as a salted hash."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import random
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.kernel.ids import IdGenerator
from colony.phones import (
    EmailOutboxSender,
    OutboxSender,
    PhoneProofService,
    PhoneVerification,
    ProofResult,
    Purpose,
    code_attempts_max,
    code_ttl_s,
    codes_per_phone_max,
    codes_per_phone_window_s,
)
from colony.phones.sql_store import SqlPhoneStore, open_phone_store

ALICE, BOB = "+6591234567", "+6598765432"
SHOP = "owner@noodles.example"
PEPPER = b"\x5a" * 32
Proofs = tuple[PhoneProofService, SqlPhoneStore, ManualClock]


@pytest.fixture
def proofs(tmp_path: Path) -> Iterator[Proofs]:
    store = open_phone_store(f"sqlite:///{tmp_path}/phones.db")
    clock = ManualClock()
    seeded = random.Random(13)
    service = PhoneProofService(
        store,
        OutboxSender(store, clock, IdGenerator(clock, seeded)),
        clock,
        seeded.randbytes,
        PEPPER,
        mailer=EmailOutboxSender(store, clock, IdGenerator(clock, seeded)),
    )
    yield service, store, clock
    store.close()


def sent(store: SqlPhoneStore, phone: str) -> str:
    return store.messages(None, 1, phone)[0].text[:6]


def other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def started(p: Proofs, phone: str = ALICE) -> PhoneVerification:
    made = p[0].start(phone, Purpose.open_wallet)[1]
    assert made is not None
    return made


def _right_code(p: Proofs) -> ProofResult:
    service, store, _ = p
    v = started(p)
    return service.check(v.id, ALICE, Purpose.open_wallet, sent(store, ALICE))


def _right_code_twice(p: Proofs) -> ProofResult:
    service, store, _ = p
    v = started(p)
    assert service.check(v.id, ALICE, Purpose.open_wallet, sent(store, ALICE)) is ProofResult.ok
    return service.check(v.id, ALICE, Purpose.open_wallet, sent(store, ALICE))


def _wrong_code(p: Proofs) -> ProofResult:
    service, store, _ = p
    v = started(p)
    return service.check(v.id, ALICE, Purpose.open_wallet, other(sent(store, ALICE)))


def _another_numbers_verification(p: Proofs) -> ProofResult:
    service, store, _ = p
    v = started(p, BOB)
    return service.check(v.id, ALICE, Purpose.open_wallet, sent(store, BOB))


def _unknown_verification(p: Proofs) -> ProofResult:
    return p[0].check("pv_" + "00" * 16, ALICE, Purpose.open_wallet, "123456")


def _expired(p: Proofs) -> ProofResult:
    service, store, clock = p
    v = started(p)
    clock.advance(code_ttl_s)
    return service.check(v.id, ALICE, Purpose.open_wallet, sent(store, ALICE))


def _tries_used_up(p: Proofs) -> ProofResult:
    service, store, _ = p
    v = started(p)
    code = sent(store, ALICE)
    wrong = [service.check(v.id, ALICE, Purpose.open_wallet, other(code))
             for _ in range(code_attempts_max)]  # fmt: skip
    assert wrong == [ProofResult.code_wrong] * code_attempts_max
    return service.check(v.id, ALICE, Purpose.open_wallet, code)  # the right code, too late


def _malformed_number(p: Proofs) -> ProofResult:
    return p[0].start("91234567", Purpose.open_wallet)[0]


def mailed(store: SqlPhoneStore, address: str) -> str:
    return store.emails(None, 1, address)[0].text[:6]


def _right_code_by_mail(p: Proofs) -> ProofResult:
    service, store, _ = p
    # Typed in any case, kept and compared in lower case.
    result, v = service.start_email(" Owner@Noodles.Example ", Purpose.merchant_sign_in)
    assert result is ProofResult.ok and v is not None and v.address == SHOP
    return service.check(v.id, SHOP, Purpose.merchant_sign_in, mailed(store, SHOP))


def _mailed_code_for_a_number(p: Proofs) -> ProofResult:
    service, store, _ = p
    _, v = service.start_email(SHOP, Purpose.merchant_sign_in)
    assert v is not None
    return service.check(v.id, ALICE, Purpose.merchant_sign_in, mailed(store, SHOP))


def _malformed_email(p: Proofs) -> ProofResult:
    return p[0].start_email("owner@localhost", Purpose.merchant_sign_in)[0]


def _too_many_codes(p: Proofs) -> ProofResult:
    service, _, clock = p
    for _ in range(codes_per_phone_max):
        assert service.start(ALICE, Purpose.open_wallet)[0] is ProofResult.ok
    refused = service.start(ALICE, Purpose.open_wallet)[0]
    assert service.start(BOB, Purpose.open_wallet)[0] is ProofResult.ok  # another number's
    clock.advance(codes_per_phone_window_s)
    assert service.start(ALICE, Purpose.open_wallet)[0] is ProofResult.ok  # a window later
    return refused


CASES: dict[str, tuple[Callable[[Proofs], ProofResult], ProofResult]] = {
    "right code": (_right_code, ProofResult.ok),
    "right code again, still proved": (_right_code_twice, ProofResult.ok),
    "wrong code": (_wrong_code, ProofResult.code_wrong),
    "another number's verification": (
        _another_numbers_verification, ProofResult.verification_not_found,
    ),
    "unknown verification": (_unknown_verification, ProofResult.verification_not_found),
    "expired": (_expired, ProofResult.code_expired),
    "tries used up": (_tries_used_up, ProofResult.attempts_exhausted),
    "malformed number": (_malformed_number, ProofResult.invalid_phone),
    "right code by mail": (_right_code_by_mail, ProofResult.ok),
    "a mailed code proves no number": (
        _mailed_code_for_a_number, ProofResult.verification_not_found,
    ),
    "malformed email address": (_malformed_email, ProofResult.invalid_email),
    "too many codes to one number": (_too_many_codes, ProofResult.too_many_codes),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_each_result(proofs: Proofs, case: str) -> None:
    act, expected = CASES[case]
    assert act(proofs) is expected


def test_every_result_is_covered() -> None:
    assert {expected for _, expected in CASES.values()} == set(ProofResult)


def test_the_code_is_sent_and_kept_only_as_a_salted_hash(proofs: Proofs, tmp_path: Path) -> None:
    service, store, _ = proofs
    _, first = service.start(ALICE, Purpose.open_wallet)
    _, second = service.start(ALICE, Purpose.open_wallet)
    assert first is not None and second is not None
    code = sent(store, ALICE)
    assert code.isdigit() and len(code) == 6
    assert first.salt != second.salt and first.code_sha256 != second.code_sha256
    assert code.encode() not in first.code_sha256 + first.salt
    # The code sent is the second's. Its stored hash is keyed by the pepper, which the
    # database does not hold: the salt and the code alone, tried as a reader of the database
    # would try all million codes, do not give it.
    assert hmac.new(second.salt, code.encode(), hashlib.sha256).digest() != second.code_sha256
    peppered = hmac.new(PEPPER, second.salt + code.encode(), hashlib.sha256).digest()
    assert peppered == second.code_sha256
    with contextlib.closing(sqlite3.connect(tmp_path / "phones.db")) as db:
        rows = db.execute("SELECT * FROM phone_verifications").fetchall()
        texts = db.execute("SELECT text FROM sms_outbox").fetchall()
    assert len(rows) == 2 and all(code not in str(row) for row in rows)
    # The outbox's texts are sealed too: the database holds the code nowhere.
    assert len(texts) == 2 and all(text.startswith("cs1.") for (text,) in texts)
    assert all(code not in text for (text,) in texts)


def test_a_mailed_code_is_sealed_in_the_email_outbox(proofs: Proofs, tmp_path: Path) -> None:
    service, store, _ = proofs
    for _ in range(codes_per_phone_max):
        assert service.start_email(SHOP, Purpose.merchant_sign_in)[0] is ProofResult.ok
    # The same window and limit as texts: a flood of mail to a stranger is refused too.
    assert service.start_email(SHOP, Purpose.merchant_sign_in)[0] is ProofResult.too_many_codes
    newest = service.email_outbox(None, 1, SHOP)[0]
    code = newest.text[:6]
    assert code.isdigit() and newest.subject.startswith(code)
    assert store.messages(None, 10) == []  # nothing was texted
    with contextlib.closing(sqlite3.connect(tmp_path / "phones.db")) as db:
        texts = db.execute("SELECT text FROM email_outbox").fetchall()
    assert len(texts) == codes_per_phone_max
    assert all(text.startswith("cs1.") and code not in text for (text,) in texts)
