"""Withdrawal to a funding partner: held with the wallet's limits at once, paid out when the
partner confirms, given back when it fails or says nothing in time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.ledger import TransferPendingStatus
from colony.wallets.model import DEFAULT_LIMITS, Tier, Wallet, withdrawal_confirm_timeout_s
from colony.wallets.results import WalletResult as W
from tests.wallets.test_wallets import ALICE, BOB, World

DAILY_CAP = DEFAULT_LIMITS[Tier.phone_only].daily_outflow_cap_minor


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(f"sqlite:///{tmp_path}/colony.db")
    assert w.service.open_wallet(ALICE, "Alice", "SGD")[0] is W.ok
    assert w.service.open_wallet(BOB, "Bob", "SGD")[0] is W.ok
    assert w.service.register_funding_partner("dbs_bank", "SGD") is W.ok
    assert w.service.cash_in(ALICE, "SGD", 10_000).result is W.ok  # Alice holds 10,001
    yield w
    w.close()


def alice(world: World) -> Wallet:
    wallet = world.store.by_phone(ALICE, "SGD")
    assert wallet is not None
    return wallet


def books(world: World) -> dict[str, int]:
    """What the ledger says: the wallet's posted balance and what of it is held, and the
    partner's settlement account (credits: what Colony owes the partner to pay out)."""
    wallet = alice(world)
    partner_id = world.service.funding_partner_account_id("dbs_bank", wallet.ledger)
    account, partner = world.ledger.lookup_accounts([wallet.account_id, partner_id])
    return {
        "wallet_posted": account.credits_posted - account.debits_posted,
        "wallet_held": account.debits_pending,
        "partner_pending": partner.credits_pending,
        "partner_posted": partner.credits_posted - partner.debits_posted,
    }


def outflow_left(world: World) -> int:
    wallet = alice(world)
    day = world.clock.now_ns() // 10**9 // 86_400
    (outflow,) = world.ledger.lookup_accounts([wallet.outflow_account_id(day)])
    return outflow.credits_posted - outflow.debits_posted - outflow.debits_pending


def test_worked_example_confirm_fail_and_expire(world: World) -> None:
    assert books(world) == {
        "wallet_posted": 10_001, "wallet_held": 0, "partner_pending": 0, "partner_posted": 0,
    }  # fmt: skip

    # 1. Alice asks for 4,000 to her bank account: held at once, nothing posted yet.
    first = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 4_000)
    assert first.result is W.ok and first.transfer_id is not None
    assert books(world) == {
        "wallet_posted": 10_001, "wallet_held": 4_000, "partner_pending": 4_000,
        "partner_posted": 0,
    }  # fmt: skip
    assert outflow_left(world) == DAILY_CAP - 4_000
    # The held money cannot be spent twice: 6,002 more is refused, 6,001 is not.
    assert world.service.p2p(ALICE, BOB, "SGD", 6_002).result is W.insufficient_funds

    # 2. The bank pays it out: the hold is posted, Colony now owes the bank 4,000.
    assert world.service.settle_withdrawal(first.transfer_id, confirmed=True) is W.ok
    assert books(world) == {
        "wallet_posted": 6_001, "wallet_held": 0, "partner_pending": 0, "partner_posted": 4_000,
    }  # fmt: skip
    assert outflow_left(world) == DAILY_CAP - 4_000

    # 3. A second one, 1,000, fails at the bank: everything comes back, the allowance too.
    second = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 1_000)
    assert second.transfer_id is not None and outflow_left(world) == DAILY_CAP - 5_000
    assert world.service.settle_withdrawal(second.transfer_id, confirmed=False) is W.ok
    assert books(world) == {
        "wallet_posted": 6_001, "wallet_held": 0, "partner_pending": 0, "partner_posted": 4_000,
    }  # fmt: skip
    assert outflow_left(world) == DAILY_CAP - 4_000

    # 4. A third, 2,000: the bank says nothing; after the timeout the ledger gives it back.
    third = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 2_000)
    assert third.transfer_id is not None
    assert books(world)["wallet_held"] == 2_000
    world.clock.advance(withdrawal_confirm_timeout_s + 1)
    assert world.ledger.pulse() == 3  # the withdrawal, its allowance and its headroom holds
    assert world.ledger.pending_status(third.transfer_id) is TransferPendingStatus.expired
    assert books(world) == {
        "wallet_posted": 6_001, "wallet_held": 0, "partner_pending": 0, "partner_posted": 4_000,
    }  # fmt: skip
    assert (
        world.service.settle_withdrawal(third.transfer_id, confirmed=True) is W.withdrawal_expired
    )


def test_the_balance_headroom_comes_back_only_when_paid_out(world: World) -> None:
    wallet = alice(world)
    held = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 3_000)
    assert held.transfer_id is not None
    (headroom,) = world.ledger.lookup_accounts([wallet.headroom_account_id])
    assert headroom.credits_pending == 3_000
    assert world.service.settle_withdrawal(held.transfer_id, confirmed=True) is W.ok
    (after,) = world.ledger.lookup_accounts([wallet.headroom_account_id])
    assert after.credits_pending == 0 and after.credits_posted == headroom.credits_posted + 3_000


def test_a_retry_with_the_same_id_moves_money_once(world: World) -> None:
    first = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 2_500)
    again = world.service.request_withdrawal(
        ALICE, "SGD", "dbs_bank", 2_500, transfer_id=first.transfer_id
    )
    assert first == again and again.result is W.ok
    assert books(world)["wallet_held"] == 2_500
    other = world.service.request_withdrawal(
        ALICE, "SGD", "dbs_bank", 2_600, transfer_id=first.transfer_id
    )
    assert other.result is W.id_reused_differently


@pytest.mark.parametrize(
    ("phone", "partner", "amount", "expected"),
    [
        (ALICE, "dbs_bank", 10_002, W.insufficient_funds),
        (ALICE, "unknown_bank", 5, W.unknown_funding_source),
        ("+6500000000", "dbs_bank", 5, W.unknown_wallet),
        (ALICE, "dbs_bank", 0, W.amount_must_be_positive),
        (ALICE, "dbs_bank", -5, W.amount_must_be_positive),
    ],
)
def test_withdrawal_refusals(
    world: World, phone: str, partner: str, amount: int, expected: W
) -> None:
    assert world.service.request_withdrawal(phone, "SGD", partner, amount).result is expected
    assert books(world)["wallet_held"] == 0


def test_the_daily_outflow_cap_counts_pending_withdrawals(world: World) -> None:
    assert world.service.cash_in(ALICE, "SGD", 60_000).result is W.ok
    assert world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 30_000).result is W.ok
    over = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", DAILY_CAP - 30_000 + 1)
    assert over.result is W.daily_outflow_cap_exceeded
    exact = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", DAILY_CAP - 30_000)
    assert exact.result is W.ok and outflow_left(world) == 0


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (True, True, W.ok),  # the same answer again: a retry
        (False, False, W.ok),
        (True, False, W.withdrawal_already_settled),
        (False, True, W.withdrawal_already_settled),
    ],
)
def test_the_partner_answers_once(world: World, first: bool, second: bool, expected: W) -> None:
    held = world.service.request_withdrawal(ALICE, "SGD", "dbs_bank", 1_000)
    assert held.transfer_id is not None
    assert world.service.settle_withdrawal(held.transfer_id, confirmed=first) is W.ok
    assert world.service.settle_withdrawal(held.transfer_id, confirmed=second) is expected
    assert books(world)["wallet_posted"] == (9_001 if first else 10_001)


def test_settling_what_is_not_a_withdrawal(world: World) -> None:
    top_up = world.service.request_top_up(ALICE, "SGD", "dbs_bank", 500)
    assert top_up.transfer_id is not None
    assert world.service.settle_withdrawal(12345, confirmed=True) is W.withdrawal_not_found
    assert (
        world.service.settle_withdrawal(top_up.transfer_id, confirmed=True)
        is W.withdrawal_not_found
    )
    assert world.service.settle_top_up(top_up.transfer_id, confirmed=True) is W.ok
