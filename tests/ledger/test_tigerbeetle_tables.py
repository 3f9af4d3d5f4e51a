"""TigerBeetle's state-machine test tables, run through Colony's state machine.

Every table of TigerBeetle's `src/state_machine_tests.zig` (kept verbatim in
`tigerbeetle_tables.py`, Apache-2.0) runs here against a fresh `LedgerState`: each event's result,
each account and transfer looked up, each account query Colony can answer. Rows Colony has no
counterpart for are listed with the reason, and the list itself is held by a test, so a row
can never be dropped in silence.
"""

from __future__ import annotations

import pytest

from tests.ledger import tb_tables
from tests.ledger.engines import each_engine  # noqa: F401 - every test on both paths (ADR 0069)
from tests.ledger.tigerbeetle_tables import TABLES


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tigerbeetle_table(name: str) -> None:
    outcome = tb_tables.StateMachineRun().run(tb_tables.parse(TABLES[name]))
    assert not outcome.failures, "\n".join(outcome.failures)


# Rows of each table that Colony cannot check, by reason (tb_tables.UNMAPPED_REASONS): queries
# Colony does not have (over accounts or transfers by user data, the change-event feed) and
# statement filters it does not take. Every other row is checked.
UNMAPPED = {
    "get_account_balances: invalid filter": {
        "history flag": 2,
        "filter": 4,
        "bounds": 1,
        "limit 0": 1,
    },
    "get_account_balances: single-phase": {"filter": 25, "bounds": 6},
    "get_account_transfers: invalid filter": {"filter": 4, "bounds": 1, "limit 0": 1},
    "get_account_transfers: single-phase": {"filter": 25, "bounds": 6},
    "get_change_events": {"get_change_events": 14},
    "query_accounts": {"query_accounts": 73},
    "query_transfers": {"query_transfers": 73},
}


def test_every_unchecked_row_is_accounted_for() -> None:
    found: dict[str, dict[str, int]] = {}
    checked = 0
    for name, table in TABLES.items():
        outcome = tb_tables.StateMachineRun().run(tb_tables.parse(table))
        checked += outcome.events + outcome.lookups + outcome.queries
        by_reason: dict[str, int] = {}
        for _, reason in outcome.unmapped:
            key = next(k for k, v in tb_tables.UNMAPPED_REASONS.items() if v == reason)
            by_reason[key] = by_reason.get(key, 0) + 1
        if by_reason:
            found[name] = by_reason
    assert found == UNMAPPED
    assert checked == 656  # 477 events, 168 lookups, 11 account queries
