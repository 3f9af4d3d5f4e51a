"""The importing ledger: every event imported at simulated time, rising, through the services."""

from __future__ import annotations

from pathlib import Path

from colony.cli.simulate_commands import market_services
from colony.kernel.clock import NS_PER_S
from colony.ledger import (
    AMOUNT_MAX,
    Account,
    AccountFlags,
    CreateAccountResult,
    CreateTransferResult,
    Transfer,
    TransferFlags,
)
from colony.ledger.verify import verify
from colony.simulator import ImportingLedger, SimulatedClock
from colony.storage.open import open_ledger

PAST_NS = 1_780_000_000 * NS_PER_S  # 2026-05-28, before any test's wall clock
IMPORTED_A, IMPORTED_T = int(AccountFlags.imported), int(TransferFlags.imported)


def test_events_are_imported_at_simulated_time_and_rise(tmp_path: Path) -> None:
    clock = SimulatedClock(PAST_NS)
    ledger = ImportingLedger(open_ledger(f"sqlite:///{tmp_path / 'l.db'}"), clock)
    try:
        made = ledger.create_accounts([Account(1, 702, 1), Account(2, 702, 1)])
        assert made == [CreateAccountResult.ok] * 2
        # The clock stands still: stamps still rise, one nanosecond at a time.
        held = Transfer(10, 1, 2, 500, 702, 1, int(TransferFlags.pending), timeout=900)
        assert ledger.create_transfers([held]) == [CreateTransferResult.ok]
        assert ledger.timeouts_dropped == 1  # an imported hold cannot have a timeout
        # What was imported is a copy: the caller's own event is as it made it.
        assert (held.flags, held.timeout, held.timestamp) == (int(TransferFlags.pending), 900, 0)
        clock.set_ns(PAST_NS + 60 * NS_PER_S)
        post = Transfer(
            11, 0, 0, AMOUNT_MAX, 0, 0, int(TransferFlags.post_pending_transfer), pending_id=10
        )
        assert ledger.create_transfers([post]) == [CreateTransferResult.ok]
        accounts = ledger.lookup_accounts([1, 2])
        transfers = ledger.lookup_transfers([10, 11])
        assert [a.timestamp for a in accounts] == [PAST_NS, PAST_NS + 1]
        assert [t.timestamp for t in transfers] == [PAST_NS + 2, PAST_NS + 60 * NS_PER_S]
        assert all(a.flags & IMPORTED_A for a in accounts)
        assert all(t.flags & IMPORTED_T and t.timeout == 0 for t in transfers)
        assert accounts[1].credits_posted == 500
        assert verify(*ledger.snapshot_for_verify()).ok
    finally:
        ledger.close()


def test_product_records_carry_the_ledgers_historical_times(tmp_path: Path) -> None:
    with market_services(f"sqlite:///{tmp_path / 'm.db'}", seed=3) as services:
        services.clock.set_ns(PAST_NS)
        services.funding.register_partner("bank_sgd", "bank", "SGD")
        _, merchant = services.merchants.onboard(
            "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
        )
        _, wallet = services.wallets.open_wallet("+6591234567", "Alice Tan", "SGD")
        assert merchant is not None and wallet is not None
        assert services.wallets.cash_in(wallet.phone, "SGD", 5_000).result.name == "ok"
        services.clock.set_ns(PAST_NS + 3_600 * NS_PER_S)
        code = services.payments.merchant_qr(merchant)
        paid = services.payments.pay_by_qr(wallet.phone, "SGD", code, 550, 77)
        assert paid.result.name == "ok" and paid.record is not None
        assert paid.record.created_at_ns == PAST_NS + 3_600 * NS_PER_S
        (transfer,) = services.ledger.lookup_transfers([77])
        assert 0 <= transfer.timestamp - paid.record.created_at_ns < NS_PER_S // 1000
        assert wallet.created_at_ns == PAST_NS
