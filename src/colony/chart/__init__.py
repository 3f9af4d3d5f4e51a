"""The chart of accounts: every ledger number, account code, transfer code, id prefix and
derived-id slot Colony uses, declared once with its meaning (docs/chart-of-accounts.md is
rendered from it).

Products take their codes and ids from here and never write a number of their own; the chart
imports only the kernel, and checks on import that nothing in it is declared twice.
"""

from colony.chart.check import undeclared
from colony.chart.codes import AccountCode, TransferCode
from colony.chart.ids import derived_id, name_hash, tagged_id
from colony.chart.ledgers import ledger_of
from colony.chart.prefixes import (
    LEGACY,
    IdPrefix,
    Layout,
    LegacyLayout,
    funding_partner_account_id,
    lender_available_account_id,
    lender_capital_account_id,
)
from colony.chart.slots import ChartError, Slot, Slots, Space, Spaces

__all__ = [
    "LEGACY",
    "AccountCode",
    "ChartError",
    "IdPrefix",
    "Layout",
    "LegacyLayout",
    "Slot",
    "Slots",
    "Space",
    "Spaces",
    "TransferCode",
    "derived_id",
    "funding_partner_account_id",
    "ledger_of",
    "lender_available_account_id",
    "lender_capital_account_id",
    "name_hash",
    "tagged_id",
    "undeclared",
]
