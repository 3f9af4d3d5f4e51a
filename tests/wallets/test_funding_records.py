"""Funding records beside the ledger: partners, and top-ups and withdrawals whose status is
read from the ledger alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colony.wallets.funding import FundingPartner, MovementKind, MovementStatus, PartnerKind
from colony.wallets.funding_service import FundingService
from colony.wallets.model import Wallet, withdrawal_confirm_timeout_s
from colony.wallets.results import WalletResult as W
from colony.wallets.sql_funding_store import open_funding_store
from tests.wallets.test_wallets import ALICE, World


class Funded(World):
    """The wallets world with its funding records, all behind `store_url`."""

    def __init__(self, store_url: str) -> None:
        super().__init__(store_url)
        self.store_url = store_url
        self.funding_store = open_funding_store(store_url)
        self.funding = FundingService(
            self.ledger, self.service, self.funding_store, self.clock, self.ids
        )

    def alice(self) -> Wallet:
        wallet = self.store.by_phone(ALICE, "SGD")
        assert wallet is not None
        return wallet

    def close(self) -> None:
        self.funding_store.close()
        super().close()


@pytest.fixture
def world(store_url: str) -> Iterator[Funded]:
    w = Funded(store_url)
    assert w.service.open_wallet(ALICE, "Alice", "SGD")[0] is W.ok
    assert w.funding.register_partner("dbs", "bank", "SGD")[0] is W.ok
    assert w.service.cash_in(ALICE, "SGD", 10_000).result is W.ok
    yield w
    w.close()


@pytest.mark.parametrize(
    ("name", "kind", "currency", "expected"),
    [
        ("dbs", "bank", "sgd", W.ok),  # the same partner again
        ("dbs", "bank", "USD", W.ok),  # the same name in another currency: another account
        ("dbs", "card_issuer", "SGD", W.partner_registered_differently),
        ("D", "bank", "SGD", W.invalid_partner_name),
        ("dbs bank", "bank", "SGD", W.invalid_partner_name),
        ("ocbc", "Bank", "SGD", W.invalid_partner_kind),
        ("ocbc", "bank", "XYZ", W.unknown_currency),
    ],
)
def test_partner_registration(
    world: Funded, name: str, kind: str, currency: str, expected: W
) -> None:
    result, partner = world.funding.register_partner(name, kind, currency)
    assert result is expected and (partner is not None) is (expected is W.ok)
    assert len(world.funding.partners("SGD")) == 1


def test_a_partner_row_without_its_account_is_repaired(world: Funded) -> None:
    # A crash after the row and before the ledger account: reconcile finishes the job.
    world.funding_store.add_partner(FundingPartner("ocbc", PartnerKind.bank, "SGD", 1))
    account_id = world.service.funding_partner_account_id("ocbc", world.alice().ledger)
    assert world.ledger.lookup_accounts([account_id]) == []
    assert world.funding.reconcile() == 2
    assert len(world.ledger.lookup_accounts([account_id])) == 1


def test_records_survive_reopening(world: Funded) -> None:
    outcome = world.funding.withdraw(world.alice(), "dbs", 2_000)
    assert outcome.result is W.ok and outcome.movement is not None
    reopened = open_funding_store(world.store_url)
    try:
        assert reopened.movement(outcome.movement.id) == outcome.movement
        assert reopened.partners() == world.funding.partners()
    finally:
        reopened.close()


def test_status_is_read_from_the_ledger(world: Funded) -> None:
    moves = {
        name: world.funding.withdraw(world.alice(), "dbs", 1_000).movement
        for name in ("paid", "failed", "silent")
    }
    top_up = world.funding.top_up(world.alice(), "dbs", 500).movement
    assert top_up is not None and top_up.kind is MovementKind.top_up
    assert top_up.id.startswith("tu_") and top_up.id.endswith(f"{top_up.transfer_id:032x}")
    paid, failed, silent = moves["paid"], moves["failed"], moves["silent"]
    assert paid is not None and failed is not None and silent is not None
    assert paid.id.startswith("wd_") and world.funding.status(paid) is MovementStatus.pending
    assert world.funding.settle(paid, confirmed=True) is W.ok
    assert world.funding.settle(failed, confirmed=False) is W.ok
    assert world.funding.settle(top_up, confirmed=True) is W.ok
    world.clock.advance(withdrawal_confirm_timeout_s + 1)
    world.ledger.pulse()
    assert [world.funding.status(m) for m in (paid, failed, silent, top_up)] == [
        MovementStatus.succeeded,
        MovementStatus.failed,
        MovementStatus.expired,
        MovementStatus.succeeded,
    ]
    assert world.balance(ALICE) == 10_001 - 1_000 + 500


def test_a_refused_request_leaves_no_record(world: Funded) -> None:
    refused = world.funding.withdraw(world.alice(), "dbs", 10_002, transfer_id=77)
    assert refused.result is W.insufficient_funds and refused.movement is None
    assert world.funding.movement("wd_" + f"{77:032x}") is None
    unknown = world.funding.top_up(world.alice(), "nobody", 5)
    assert unknown.result is W.unknown_funding_source


def test_the_same_id_is_one_movement(world: Funded) -> None:
    first = world.funding.top_up(world.alice(), "dbs", 500, transfer_id=42)
    again = world.funding.top_up(world.alice(), "dbs", 500, transfer_id=42)
    assert first == again and first.movement is not None
    other = world.funding.top_up(world.alice(), "dbs", 501, transfer_id=42)
    assert other.result is W.id_reused_differently
    assert world.funding.movement(first.movement.id) == first.movement  # still there
    wallet = world.alice()
    (account,) = world.ledger.lookup_accounts([wallet.account_id])
    assert account.credits_pending == 500
