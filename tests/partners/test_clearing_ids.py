"""Clearing account and leg ids: one account per partner and currency ledger, readable from
its id, and a leg id per payment that no other id scheme makes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from colony.chart import IdPrefix, derived_id
from colony.partners.clearing import clearing_account_id, clearing_leg_id
from colony.payments.treasury import is_treasury_account


@given(st.text(min_size=1, max_size=40), st.integers(1, 999))
def test_an_account_id_names_its_ledger_under_the_clearing_base(partner: str, ledger: int) -> None:
    # The clearing prefix is the chart's own byte since ADR 0023 (it was the treasury's 0xF4).
    account = clearing_account_id(partner, ledger)
    assert account >> 120 == IdPrefix.partner_clearing == 0xF6 and account & 0xFFFF == ledger
    assert not is_treasury_account(account)
    assert clearing_account_id(partner, ledger) == account  # the same every time


def test_partners_and_ledgers_have_their_own_accounts() -> None:
    ids = {
        clearing_account_id(p, ledger)
        for p in ("colony", "ptn_a", "ptn_b")
        for ledger in (608, 702)
    }
    assert len(ids) == 6


@given(st.integers(1, 2**128 - 2))
def test_a_leg_id_is_derived_and_apart_from_the_payments_own(payment_id: int) -> None:
    leg = clearing_leg_id(payment_id)
    assert leg == clearing_leg_id(payment_id) and leg >> 127 == 1
    assert leg not in {payment_id, *(derived_id(payment_id, n) for n in range(32))}
