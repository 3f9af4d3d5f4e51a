"""Wallets: an account for one coin, P2P by phone, and tier limits enforced by the ledger."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

import pytest

from colony.chart import Slots
from colony.kernel.clock import ManualClock
from colony.kernel.ids import IdGenerator
from colony.ledger import Ledger
from colony.ledger.verify import verify
from colony.storage.open import open_ledger
from colony.wallets.model import DEFAULT_LIMITS, OPENING_DEPOSIT_MINOR, Tier
from colony.wallets.results import WalletResult as W
from colony.wallets.service import WalletService
from colony.wallets.sql_store import open_wallet_store

ALICE, BOB, CAROL = "+6591234567", "+6598765432", "+6581112222"
CAP = DEFAULT_LIMITS[Tier.phone_only]


class World:
    """Wallets on the ledger and wallet store behind `url`."""

    def __init__(self, url: str) -> None:
        self.clock = ManualClock()
        self.ledger: Ledger = open_ledger(url, clock=self.clock, auto_pulse=False)
        self.store = open_wallet_store(url)
        self.ids = IdGenerator(self.clock, random.Random(5))
        self.service = WalletService(self.ledger, self.store, self.clock, self.ids)

    def balance(self, phone: str) -> int:
        wallet = self.store.by_phone(phone, "SGD")
        assert wallet is not None
        return self.service.balance(wallet)

    def close(self) -> None:
        assert verify(*self.ledger.snapshot_for_verify()).ok
        self.ledger.close()
        self.store.close()


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    w = World(store_url)
    for phone, name in ((ALICE, "Alice Tan"), (BOB, "Bob Lim"), (CAROL, "Carol Ng")):
        result, _ = w.service.open_wallet(phone, name, "SGD")
        assert result is W.ok
    yield w
    w.close()


def test_a_wallet_opens_for_one_coin(world: World) -> None:
    assert world.balance(ALICE) == OPENING_DEPOSIT_MINOR
    wallet = world.store.by_phone(ALICE, "SGD")
    assert wallet is not None and wallet.id.startswith("wal_") and wallet.tier is Tier.phone_only


@pytest.mark.parametrize(
    ("phone", "currency", "expected"),
    [
        (ALICE, "SGD", W.phone_taken),
        ("91234567", "SGD", W.invalid_phone),
        ("+65 9123 4567", "SGD", W.invalid_phone),
        ("+6590000000", "XYZ", W.unknown_currency),
        ("+6590000000", "XAU", W.unknown_currency),  # no minor unit, so no ledger
    ],
)
def test_opening_refusals(world: World, phone: str, currency: str, expected: W) -> None:
    assert world.service.open_wallet(phone, "Someone", currency) == (expected, None)


def test_p2p_moves_money_once_even_when_retried(world: World) -> None:
    assert world.service.cash_in(ALICE, "SGD", 10_000).result is W.ok
    first = world.service.p2p(ALICE, BOB, "SGD", 2_500)
    assert first.result is W.ok
    again = world.service.p2p(ALICE, BOB, "SGD", 2_500, transfer_id=first.transfer_id)
    assert again.result is W.ok
    assert (world.balance(ALICE), world.balance(BOB)) == (7_501, 2_501)
    other = world.service.p2p(ALICE, BOB, "SGD", 9, transfer_id=first.transfer_id)
    assert other.result is W.id_reused_differently


@pytest.mark.parametrize(
    ("sender", "receiver", "amount", "expected"),
    [
        (ALICE, BOB, 2, W.insufficient_funds),
        (ALICE, ALICE, 1, W.same_wallet),
        (ALICE, "+6599999999", 1, W.unknown_wallet),
        (ALICE, BOB, 0, W.amount_must_be_positive),
        (ALICE, BOB, -5, W.amount_must_be_positive),
    ],
)
def test_p2p_refusals(world: World, sender: str, receiver: str, amount: int, expected: W) -> None:
    assert world.service.p2p(sender, receiver, "SGD", amount).result is expected
    assert world.balance(ALICE) == world.balance(BOB) == OPENING_DEPOSIT_MINOR


def test_balance_cap_refuses_the_credit_that_would_pass_it(world: World) -> None:
    room = CAP.balance_cap_minor - OPENING_DEPOSIT_MINOR
    assert world.service.cash_in(BOB, "SGD", room).result is W.ok
    assert world.balance(BOB) == CAP.balance_cap_minor
    assert world.service.cash_in(BOB, "SGD", 1).result is W.balance_cap_exceeded
    assert world.service.cash_in(ALICE, "SGD", 5_000).result is W.ok
    refused = world.service.p2p(ALICE, BOB, "SGD", 100)
    assert refused.result is W.balance_cap_exceeded  # the receiver's cap, named as such
    assert world.balance(ALICE) == 5_001  # nothing moved
    # Spending frees room again.
    assert world.service.p2p(BOB, CAROL, "SGD", 300).result is W.ok
    assert world.service.p2p(ALICE, BOB, "SGD", 300).result is W.ok


def test_daily_outflow_cap_resets_the_next_day(world: World) -> None:
    assert world.service.cash_in(ALICE, "SGD", 100_000).result is W.ok
    assert world.service.p2p(ALICE, BOB, "SGD", CAP.daily_outflow_cap_minor - 1).result is W.ok
    assert world.service.p2p(ALICE, BOB, "SGD", 1).result is W.ok
    assert world.service.p2p(ALICE, CAROL, "SGD", 1).result is W.daily_outflow_cap_exceeded
    world.clock.advance(86_400)
    assert world.service.p2p(ALICE, CAROL, "SGD", 1).result is W.ok


def test_identity_verification_lifts_both_caps(world: World) -> None:
    alice = world.store.by_phone(ALICE, "SGD")
    bob = world.store.by_phone(BOB, "SGD")
    assert alice is not None and bob is not None
    assert world.service.cash_in(ALICE, "SGD", 150_000).result is W.ok
    assert world.service.p2p(ALICE, BOB, "SGD", 60_000).result is W.daily_outflow_cap_exceeded
    assert world.service.verify_identity(alice.id) is W.ok
    assert world.service.verify_identity(alice.id) is W.already_verified
    assert world.service.p2p(ALICE, BOB, "SGD", 60_000).result is W.ok  # same day, new cap
    assert world.service.verify_identity(bob.id) is W.ok
    assert world.service.cash_in(BOB, "SGD", 500_000).result is W.ok  # past tier 0's cap


def test_refused_payment_retried_with_its_id_stays_refused(world: World) -> None:
    assert world.service.cash_in(BOB, "SGD", CAP.balance_cap_minor - 1).result is W.ok
    assert world.service.cash_in(ALICE, "SGD", 100).result is W.ok
    refused = world.service.p2p(ALICE, BOB, "SGD", 50)
    assert refused.result is W.balance_cap_exceeded
    retry = world.service.p2p(ALICE, BOB, "SGD", 50, transfer_id=refused.transfer_id)
    assert retry.result is W.refused_before


def test_reconcile_finishes_what_a_crash_interrupted(store_url: str) -> None:
    w = World(store_url)
    try:
        result, wallet = w.service.open_wallet(ALICE, "Alice", "SGD")
        assert result is W.ok and wallet is not None
        # A crash right after the intent was written: a row whose ledger events never ran.
        orphan = replace(wallet, id="wal_orphan", phone=BOB, account_id=w.ids.new_id())
        assert w.store.insert(orphan)
        assert not w.ledger.lookup_accounts([orphan.account_id])
        assert w.service.reconcile() == 2
        assert w.service.balance(orphan) == OPENING_DEPOSIT_MINOR
        assert w.service.reconcile() == 2  # and again: nothing moves twice
        assert w.service.balance(orphan) == OPENING_DEPOSIT_MINOR
        assert w.service.balance(wallet) == OPENING_DEPOSIT_MINOR
    finally:
        w.close()


def test_reconcile_finishes_a_tier_raise_a_crash_cut_short(world: World) -> None:
    """The tier written (intent first), its grant never submitted: reconciling grants it,
    and leaves complete wallets alone."""
    alice = world.store.by_phone(ALICE, "SGD")
    assert alice is not None
    grant = Slots.tier_headroom_grant.of(alice.account_id, Tier.identity_verified)
    world.store.set_tier(alice.id, Tier.identity_verified)
    assert not world.ledger.lookup_transfers([grant])
    before = world.ledger.journal_seq
    assert world.service.reconcile() >= 1
    assert world.ledger.lookup_transfers([grant])
    after = world.ledger.journal_seq
    assert world.service.reconcile() >= 1
    assert world.ledger.journal_seq == after > before  # complete: nothing submitted


def test_a_tier_set_is_seen_by_every_lookup(world: World) -> None:
    """Records read are kept in memory: setting the tier must forget them."""
    alice = world.store.by_phone(ALICE, "SGD")
    assert alice is not None and world.store.by_id(alice.id) == alice
    world.store.set_tier(alice.id, Tier.identity_verified)
    for seen in (world.store.by_id(alice.id), world.store.by_phone(ALICE, "SGD")):
        assert seen is not None and seen.tier is Tier.identity_verified
