"""Clearing and settlement between partners: per window, partner and currency, what crossed
between them, the fees and interchange on it, the multilateral net, and reconciliation of a
partner's statement file, all read from the ledger's clearing legs (docs/adr/0018)."""

from __future__ import annotations

from colony.settlement.reconcile import Entry, Reconciliation, statement_bytes_max
from colony.settlement.report import SettlementReport, report_csv
from colony.settlement.service import SettlementService
from colony.settlement.windows import Window, window_of

__all__ = [
    "Entry",
    "Reconciliation",
    "SettlementReport",
    "SettlementService",
    "Window",
    "report_csv",
    "statement_bytes_max",
    "window_of",
]
