"""The partner store's contract on each backend: partners read back whole and paged, each
member's partner (none: the house's), a partner's members paged, and its payments newest
first, after a reopen as well."""

from __future__ import annotations

from colony.partners.model import MemberKind, Partner
from colony.partners.sql_store import open_partner_store
from colony.payments.sql_store import open_payment_store
from colony.payments.store import CaptureMethod, Method, PaymentRecord

GCASH = Partner("ptn_01", "GCash-like Inc", "GPay", "PH", "PHP", 1_700_000_000_000_000_000)
ACQ = Partner("ptn_02", "Acquirer SG Pte Ltd", "AcqSG", "SG", "SGD", 1_700_000_000_000_000_001)


def payment(pid: int, merchant_id: str, wallet_id: str) -> PaymentRecord:
    return PaymentRecord(
        pid, merchant_id, wallet_id, 100, "SGD", Method.qr, CaptureMethod.automatic, None, None, 1
    )


def test_partners_and_their_members_read_back(store_url: str) -> None:
    store = open_partner_store(store_url)
    for p in (ACQ, GCASH):
        store.add(p)
    store.add_member(MemberKind.wallet, "wal_b", GCASH.id)
    store.add_member(MemberKind.wallet, "wal_a", GCASH.id)
    store.add_member(MemberKind.merchant, "mer_a", ACQ.id)
    assert store.partner_of(MemberKind.wallet, "wal_house") is None  # the house's
    store.close()

    reopened = open_partner_store(store_url)
    assert reopened.by_id(GCASH.id) == GCASH and reopened.by_id("ptn_none") is None
    assert reopened.page(None, 10) == [GCASH, ACQ]
    assert reopened.page(GCASH.id, 10) == [ACQ] and reopened.page(None, 1) == [GCASH]
    assert reopened.partner_of(MemberKind.wallet, "wal_a") == GCASH.id
    assert reopened.partner_of(MemberKind.merchant, "wal_a") is None  # kinds apart
    assert reopened.partner_of(MemberKind.merchant, "mer_a") == ACQ.id
    assert reopened.members(GCASH.id, MemberKind.wallet, None, 10) == ["wal_a", "wal_b"]
    assert reopened.members(GCASH.id, MemberKind.wallet, "wal_a", 10) == ["wal_b"]
    assert reopened.members(GCASH.id, MemberKind.merchant, None, 10) == []
    reopened.close()


def test_a_partners_payments_are_its_wallets_and_its_merchants(store_url: str) -> None:
    store = open_partner_store(store_url)
    records = open_payment_store(store_url)
    store.add_member(MemberKind.wallet, "wal_a", GCASH.id)
    store.add_member(MemberKind.merchant, "mer_b", ACQ.id)
    records.add(payment(11, "mer_b", "wal_a"))  # across the two
    records.add(payment(12, "mer_house", "wal_a"))  # GCash's user at a house merchant
    records.add(payment(13, "mer_b", "wal_house"))  # a house user at Acquirer's merchant
    records.add(payment(14, "mer_house", "wal_house"))  # neither's
    assert store.payment_ids(GCASH.id, None, 10) == [12, 11]
    assert store.payment_ids(ACQ.id, None, 10) == [13, 11]
    assert store.payment_ids(ACQ.id, None, 1) == [13]
    assert store.payment_ids(ACQ.id, 13, 10) == [11]
    assert store.payment_ids("ptn_none", None, 10) == []
    records.close()
    store.close()
