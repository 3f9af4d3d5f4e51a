"""Results cross contexts through explicit tables: every outcome one side can give has its
meaning on the other, written out."""

from __future__ import annotations

from colony.fx.results import QUOTE_RESULT_OF_RATE, QuoteResult, RateResult
from colony.ledger.results import CreateTransferResult as RT
from colony.payments.payment_code import CodeResult
from colony.payments.service import PAY_RESULT_OF_CHAIN, PAY_RESULT_OF_CODE, PayResult
from colony.wallets.results import WalletResult
from colony.wallets.service import WalletService


def test_every_chain_outcome_a_payment_can_meet_has_a_payment_result() -> None:
    # WalletService.outcome names a chain's result from the event that failed it; these are
    # all it can return (it raises for any other refusal).
    met = {
        WalletService.outcome([RT.ok, RT.ok], receiver_at=None),
        WalletService.outcome([RT.exists, RT.ok], receiver_at=None),
        WalletService.outcome([RT.exceeds_credits, RT.linked_event_failed], receiver_at=None),
        WalletService.outcome([RT.linked_event_failed, RT.exceeds_credits], receiver_at=None),
        WalletService.outcome([RT.linked_event_failed] * 2 + [RT.exceeds_credits], receiver_at=2),
        WalletService.outcome([RT.id_already_failed], receiver_at=None),
        WalletService.outcome([RT.exists_with_different_amount], receiver_at=None),
    }
    assert met == set(PAY_RESULT_OF_CHAIN)
    assert PAY_RESULT_OF_CHAIN[WalletResult.insufficient_funds] is PayResult.insufficient_funds
    assert PAY_RESULT_OF_CHAIN[WalletResult.ok] is PayResult.ok


def test_every_refused_rate_has_a_quote_result() -> None:
    assert set(QUOTE_RESULT_OF_RATE) == set(RateResult) - {RateResult.ok}
    assert QUOTE_RESULT_OF_RATE[RateResult.rate_stale] is QuoteResult.rate_stale


def test_every_code_check_has_a_payment_result_and_an_unknown_device_reads_as_wrong() -> None:
    assert set(PAY_RESULT_OF_CODE) == set(CodeResult) - {CodeResult.ok}
    assert PAY_RESULT_OF_CODE[CodeResult.unknown_device] is PAY_RESULT_OF_CODE[CodeResult.wrong]
    assert PayResult.code_unknown_device not in PAY_RESULT_OF_CODE.values()  # retired
