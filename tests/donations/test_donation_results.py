"""Every outcome of registering a cause and giving to one, as a table: each case and the
result it must give, and what the ledger holds after (a refusal moves nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from colony.api.context import ApiContext
from colony.cli.serve import build_context
from colony.donations.results import DonationResult as DR
from colony.donations.service import DonationService
from colony.kernel.clock import ManualClock
from colony.ledger.verify import verify
from colony.wallets.model import Wallet
from colony.wallets.results import WalletResult

ALICE = "+6591110001"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[ApiContext]:
    made = build_context(f"sqlite:///{tmp_path}/colony.db", clock=ManualClock())
    yield made
    made.ledger.close()
    made.close_stores()


def _service(ctx: ApiContext) -> DonationService:
    return ctx.service(DonationService)


def _alice(ctx: ApiContext, cash_minor: int = 100_000) -> Wallet:
    result, wallet = ctx.wallets.open_wallet(ALICE, "Alice Tan", "SGD")
    assert result is WalletResult.ok and wallet is not None
    assert ctx.wallets.cash_in(ALICE, "SGD", cash_minor).result is WalletResult.ok
    return wallet


@pytest.mark.parametrize(
    ("name", "currency", "expected"),
    [
        ("Food Bank", "SGD", DR.ok),
        ("Food Bank", "sgd", DR.ok),
        ("", "SGD", DR.invalid_name),
        ("   ", "SGD", DR.invalid_name),
        ("x" * 101, "SGD", DR.invalid_name),
        ("Food Bank", "XXX", DR.unknown_currency),
    ],
)
def test_registering(ctx: ApiContext, name: str, currency: str, expected: DR) -> None:
    result, cause = _service(ctx).register(name, currency)
    assert result is expected
    assert (cause is not None) is (expected is DR.ok)
    assert len(_service(ctx).causes()) == (1 if expected is DR.ok else 0)


# (cause: "sgd", "usd" or "none"; amount; what comes back), from a wallet holding 1,800.01
DONATIONS = [
    ("sgd", 2_500, DR.ok),
    ("none", 2_500, DR.cause_not_found),
    ("usd", 2_500, DR.currencies_differ),
    ("sgd", 0, DR.amount_must_be_positive),
    ("sgd", -1, DR.amount_must_be_positive),
    ("sgd", 190_000, DR.insufficient_funds),  # more than the wallet holds
    ("sgd", 60_000, DR.daily_outflow_cap_exceeded),  # held, but over the day's 500.00
]


@pytest.mark.parametrize(("cause", "amount", "expected"), DONATIONS)
def test_donating(ctx: ApiContext, cause: str, amount: int, expected: DR) -> None:
    service = _service(ctx)
    wallet = _alice(ctx, 180_000)
    _, sgd = service.register("Food Bank", "SGD")
    _, usd = service.register("Ocean Cleanup", "USD")
    assert sgd is not None and usd is not None
    cause_id = {"sgd": sgd.id, "usd": usd.id, "none": "cau_none"}[cause]
    before = ctx.wallets.balance(wallet)
    assert service.donate(wallet, cause_id, amount, 1 << 126 | 7) is expected
    given = amount if expected is DR.ok else 0
    assert ctx.wallets.balance(wallet) == before - given
    assert service.raised(sgd) == given
    assert verify(*ctx.ledger.snapshot_for_verify()).ok


def test_a_retry_gives_once_and_a_reused_id_is_refused(ctx: ApiContext) -> None:
    service = _service(ctx)
    wallet = _alice(ctx)
    _, cause = service.register("Food Bank", "SGD")
    assert cause is not None
    tid = 1 << 126 | 42
    assert service.donate(wallet, cause.id, 1_000, tid) is DR.ok
    assert service.donate(wallet, cause.id, 1_000, tid) is DR.ok  # the same request again
    assert service.raised(cause) == 1_000
    assert service.donate(wallet, cause.id, 2_000, tid) is DR.id_reused_differently
    refused = 1 << 126 | 43
    assert service.donate(wallet, cause.id, 10_000_000, refused) is DR.insufficient_funds
    assert service.donate(wallet, cause.id, 10_000_000, refused) is DR.refused_before
    assert service.raised(cause) == 1_000


def test_a_frozen_wallet_gives_nothing_until_unfrozen(ctx: ApiContext) -> None:
    service = _service(ctx)
    wallet = _alice(ctx)
    _, cause = service.register("Food Bank", "SGD")
    assert cause is not None
    assert ctx.wallets.freeze(wallet.id, "suspected stolen phone") is WalletResult.ok
    assert service.donate(wallet, cause.id, 1_000, 1 << 126 | 44) is DR.wallet_frozen
    assert service.raised(cause) == 0
    assert ctx.wallets.unfreeze(wallet.id, "cleared by the bank") is WalletResult.ok
    assert service.donate(wallet, cause.id, 1_000, 1 << 126 | 45) is DR.ok
    assert service.raised(cause) == 1_000


def test_every_result_is_covered_here() -> None:
    seen = {DR.ok, DR.invalid_name, DR.unknown_currency, DR.id_reused_differently}
    seen |= {DR.refused_before, DR.wallet_frozen} | {row[-1] for row in DONATIONS}
    assert seen == set(DR)


def test_the_context_serves_what_build_context_provided_and_names_what_it_did_not(
    ctx: ApiContext,
) -> None:
    assert isinstance(ctx.service(DonationService), DonationService)
    ctx.services.clear()
    with pytest.raises(LookupError, match="no DonationService in this context"):
        ctx.service(DonationService)
