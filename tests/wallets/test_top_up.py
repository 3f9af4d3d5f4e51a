"""Top-up through a funding partner: held until confirmed, voided if declined, expired if silent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.ledger import TransferPendingStatus
from colony.wallets.model import DEFAULT_LIMITS, Tier, top_up_confirm_timeout_s
from colony.wallets.results import WalletResult as W
from tests.wallets.test_wallets import ALICE, World

CAP = DEFAULT_LIMITS[Tier.phone_only].balance_cap_minor


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(f"sqlite:///{tmp_path}/colony.db")
    assert w.service.open_wallet(ALICE, "Alice", "SGD")[0] is W.ok
    assert w.service.register_funding_partner("dbs_bank", "SGD") is W.ok
    assert w.service.register_funding_partner("dbs_bank", "SGD") is W.ok  # idempotent
    yield w
    w.close()


def test_confirmed_top_up_becomes_spendable(world: World) -> None:
    held = world.service.request_top_up(ALICE, "SGD", "dbs_bank", 5_000)
    assert held.result is W.ok and held.transfer_id is not None
    assert world.balance(ALICE) == 1  # nothing spendable while held
    assert world.ledger.pending_status(held.transfer_id) is TransferPendingStatus.pending
    assert world.service.settle_top_up(held.transfer_id, confirmed=True) is W.ok
    assert world.service.settle_top_up(held.transfer_id, confirmed=True) is W.ok  # a retry
    assert world.balance(ALICE) == 5_001
    assert (
        world.service.settle_top_up(held.transfer_id, confirmed=False) is W.top_up_already_settled
    )


def test_declined_top_up_leaves_nothing(world: World) -> None:
    held = world.service.request_top_up(ALICE, "SGD", "dbs_bank", 5_000)
    assert held.transfer_id is not None
    assert world.service.settle_top_up(held.transfer_id, confirmed=False) is W.ok
    assert world.balance(ALICE) == 1
    wallet = world.store.by_phone(ALICE, "SGD")
    assert wallet is not None
    (headroom,) = world.ledger.lookup_accounts([wallet.headroom_account_id])
    assert headroom.debits_pending == 0  # the cap's headroom came back too


def test_silent_partner_lets_the_hold_expire(world: World) -> None:
    held = world.service.request_top_up(ALICE, "SGD", "dbs_bank", 5_000)
    assert held.transfer_id is not None
    world.clock.advance(top_up_confirm_timeout_s + 1)
    assert world.ledger.pulse() == 2  # the top-up and its headroom hold
    assert world.service.settle_top_up(held.transfer_id, confirmed=True) is W.top_up_expired
    assert world.balance(ALICE) == 1


def test_balance_cap_is_checked_when_the_hold_is_placed(world: World) -> None:
    assert world.service.request_top_up(ALICE, "SGD", "dbs_bank", CAP - 1).result is W.ok
    # Held money counts against the cap: a second hold that would pass it is refused now.
    assert (
        world.service.request_top_up(ALICE, "SGD", "dbs_bank", 1).result is W.balance_cap_exceeded
    )


@pytest.mark.parametrize(
    ("phone", "partner", "amount", "expected"),
    [
        (ALICE, "unknown_bank", 5, W.unknown_funding_source),
        ("+6500000000", "dbs_bank", 5, W.unknown_wallet),
        (ALICE, "dbs_bank", 0, W.amount_must_be_positive),
    ],
)
def test_top_up_refusals(world: World, phone: str, partner: str, amount: int, expected: W) -> None:
    assert world.service.request_top_up(phone, "SGD", partner, amount).result is expected


def test_settling_an_unknown_top_up(world: World) -> None:
    assert world.service.settle_top_up(12345, confirmed=True) is W.top_up_not_found
