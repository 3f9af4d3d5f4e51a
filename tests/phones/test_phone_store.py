"""The phone store's contract on each backend: verifications read back whole, tries counted
by the database up to a limit, the codes sent to a number counted over a window, and the
outbox paged newest first, one number's or all."""

from __future__ import annotations

from colony.phones import EmailMessage, PhoneVerification, Purpose, SmsMessage
from colony.phones.sql_store import open_phone_store
from colony.storage.open import open_tables

T0 = 1_700_000_000_000_000_000
PENDING = PhoneVerification(
    "pv_0a", "+6591234567", Purpose.open_wallet, b"\x00salt" * 3, b"\xff" * 32, T0, T0 + 600
)


def test_a_verification_is_read_back_whole_and_its_tries_are_limited(store_url: str) -> None:
    store = open_phone_store(store_url)
    store.add_verification(PENDING)
    assert store.verification("pv_0a") == PENDING
    assert store.verification("pv_none") is None
    assert [store.take_attempt("pv_0a", 3) for _ in range(4)] == [True, True, True, False]
    store.mark_proved("pv_0a", T0 + 5)
    store.mark_proved("pv_0a", T0 + 9)  # the first proof's time is kept
    assert store.verification("pv_0a") == PENDING.__class__(
        **{**PENDING.__dict__, "attempts": 3, "proved_at_ns": T0 + 5}
    )
    store.add_verification(PhoneVerification(**{**PENDING.__dict__, "id": "pv_0b",
                                                "created_at_ns": T0 + 100}))  # fmt: skip
    assert store.codes_sent_since("+6591234567", T0 - 1) == 2
    assert store.codes_sent_since("+6591234567", T0) == 1
    assert store.codes_sent_since("+6598765432", T0 - 1) == 0
    store.close()


def test_the_outbox_pages_newest_first(store_url: str) -> None:
    store = open_phone_store(store_url)
    assert store.messages(None, 10) == []
    sent = [
        SmsMessage(f"sms_{n:032x}", "+6591234567" if n % 2 else "+6598765432", f"text {n}", T0 + n)
        for n in range(1, 6)
    ]
    for message in sent:
        store.add_message(message)
    newest = list(reversed(sent))
    assert store.messages(None, 2) == newest[:2]
    assert store.messages(newest[1].id, 2) == newest[2:4]
    assert store.messages(newest[3].id, 2) == newest[4:]
    assert store.messages(None, 10, "+6598765432") == [sent[3], sent[1]]
    store.close()
    reopened = open_phone_store(store_url)
    assert reopened.messages(None, 10) == newest
    reopened.close()
    raw = open_tables(store_url, "colony-test-raw")
    with raw.session() as db:
        texts = [str(text) for (text,) in db.execute("SELECT text FROM sms_outbox").fetchall()]
    raw.close()
    assert len(texts) == 5 and all(t.startswith("cs1.") and " " not in t for t in texts)


def test_the_email_outbox_pages_newest_first_and_is_sealed(store_url: str) -> None:
    store = open_phone_store(store_url)
    assert store.emails(None, 10) == []
    sent = [
        EmailMessage(f"eml_{n:032x}", "a@shop.example" if n % 2 else "b@shop.example",
                     f"subject {n}", f"text {n}", T0 + n)
        for n in range(1, 5)
    ]  # fmt: skip
    for message in sent:
        store.add_email(message)
    newest = list(reversed(sent))
    assert store.emails(None, 3) == newest[:3]
    assert store.emails(newest[2].id, 3) == newest[3:]
    assert store.emails(None, 10, "b@shop.example") == [sent[3], sent[1]]
    store.close()
    raw = open_tables(store_url, "colony-test-raw")
    with raw.session() as db:
        texts = [str(text) for (text,) in db.execute("SELECT text FROM email_outbox").fetchall()]
    raw.close()
    assert len(texts) == 4 and all(t.startswith("cs1.") and " " not in t for t in texts)
