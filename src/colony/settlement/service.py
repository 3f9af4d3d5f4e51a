"""Settlement reports and reconciliation for a window, read from the ledger alone."""

from __future__ import annotations

from collections.abc import Iterator

from colony.kernel.clock import Clock
from colony.ledger import LedgerPort
from colony.partners import HOUSE_PARTNER_ID, PartnerStore
from colony.settlement.movements import Movement, clearing_accounts, movements
from colony.settlement.reconcile import Reconciliation, parse_statement, reconcile
from colony.settlement.report import SettlementReport, build_report
from colony.settlement.windows import Window, parse_window, settlement_window_h

# Partners read per page while walking all of them.
partners_page = 500


class SettlementService:
    def __init__(
        self,
        ledger: LedgerPort,
        partners: PartnerStore,
        clock: Clock,
        window_h: int = settlement_window_h,
    ) -> None:
        self._ledger = ledger
        self._partners = partners
        self._clock = clock
        self.window_h = window_h

    def known(self, partner_id: str) -> bool:
        """Whether settlement has a partner by this id (the house's included)."""
        return partner_id == HOUSE_PARTNER_ID or self._partners.by_id(partner_id) is not None

    def window(self, name: str) -> Window:
        return parse_window(name, self.window_h)

    def report(self, window: Window) -> SettlementReport:
        """Every partner's lines for the window (the house's included)."""
        accounts = clearing_accounts(self._ledger, self._partner_ids())
        found = movements(self._ledger, accounts, accounts, window)
        return build_report(window, self._clock.now_ns(), found)

    def movements_of(self, partner_id: str, window: Window) -> list[Movement]:
        """The payments and refunds that crossed between the partner and another."""
        everyone = clearing_accounts(self._ledger, self._partner_ids())
        own = [a for a, (p, _) in everyone.items() if p == partner_id]
        return movements(self._ledger, own, everyone, window)

    def reconcile(self, partner_id: str, window: Window, statement_csv: str) -> Reconciliation:
        """The partner's statement file against the ledger (parsed whole first: a malformed
        file is refused before anything is compared)."""
        entries = parse_statement(statement_csv)
        return reconcile(self.movements_of(partner_id, window), entries)

    def _partner_ids(self) -> Iterator[str]:
        yield HOUSE_PARTNER_ID
        after = None
        while True:
            page = self._partners.page(after, partners_page)
            yield from (p.id for p in page)
            if len(page) < partners_page:
                return
            after = page[-1].id
