"""A database pins the scale of every currency its ledger holds: a process whose currency
table would rescale that money is refused at open, on both backends; a change to currencies
nobody holds is taken."""

from __future__ import annotations

import pytest

from colony.kernel import currency_pins
from colony.kernel.currency_pins import CurrencyTableConflict
from colony.kernel.money import iso_4217_currencies
from colony.ledger import Account
from colony.ledger.results import CreateAccountResult
from colony.storage.open import open_ledger, open_tables
from tests.kernel.currency_tables import table_with

IDR, HUF = 360, 348


def _pins(url: str) -> dict[int, tuple[str, int]]:
    tables = open_tables(url, "test-pins")
    try:
        with tables.session() as db:
            rows = db.execute("SELECT ledger, code, scale FROM currency_pins").fetchall()
    finally:
        tables.close()
    return {int(r[0]): (str(r[1]), int(r[2])) for r in rows}


def _open_an_idr_account(url: str) -> None:
    with open_ledger(url, auto_pulse=False) as ledger:
        assert ledger.create_accounts([Account(1, IDR, 10)]) == [CreateAccountResult.ok]


def test_opening_pins_every_currency_at_the_tables_scale(journal_url: str) -> None:
    _open_an_idr_account(journal_url)
    pins = _pins(journal_url)
    assert pins[IDR] == ("IDR", 2) and pins[392] == ("JPY", 0) and pins[414] == ("KWD", 3)
    assert len(pins) == sum(1 for c in iso_4217_currencies().values() if c.scale is not None)


def test_a_table_that_rescales_held_money_is_refused(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open_an_idr_account(journal_url)
    with monkeypatch.context() as patched:
        patched.setattr(currency_pins, "iso_4217_currencies", lambda: table_with(IDR=0))
        with pytest.raises(CurrencyTableConflict, match="ledger 360 holds IDR amounts written"):
            open_ledger(journal_url, auto_pulse=False)
    assert _pins(journal_url)[IDR] == ("IDR", 2)  # nothing was half-written
    # The refused open let go of the journal: the right table opens it at once.
    with open_ledger(journal_url, auto_pulse=False) as ledger:
        assert [t.ledger for t in ledger.totals()] == [IDR]


def test_a_currency_nobody_holds_takes_the_new_tables_scale(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open_an_idr_account(journal_url)
    monkeypatch.setattr(currency_pins, "iso_4217_currencies", lambda: table_with(HUF=0))
    open_ledger(journal_url, auto_pulse=False).close()
    assert _pins(journal_url)[HUF] == ("HUF", 0)
    assert _pins(journal_url)[IDR] == ("IDR", 2)
