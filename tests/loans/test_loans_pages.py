"""The loans screens over HTTP, as a browser without script uses them: the app asks for
consent before lending, refuses with a reason in the person's language, lends, and the same
form sent twice lends once; the console shows lenders and the portfolio to staff only."""

from __future__ import annotations

import re

import httpx

from colony.credit import CreditScores
from colony.loans import LoanService
from tests.api.test_funding_api import Served
from tests.loans.test_loans_browser import _lending
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import Visitor, signed_up, visitor_for

PHONE = "+6591110006"
_FORM_ID = re.compile(r'name="form_id" value="([0-9a-f]+)"')


def _apply(person: Visitor, amount: str, form_id: str | None = None) -> httpx.Response:
    """The apply form as shown, sent with these fields (its own id unless `form_id`)."""
    drawn = _FORM_ID.search(person.get("/app/loans").text)
    assert drawn is not None
    fields = {"product": "cash_3m", "method": "daily", "amount": amount,
              "form_id": drawn.group(1) if form_id is None else form_id}  # fmt: skip
    return person.post("/app/loans", fields, form_at="/app/loans")


def test_refusals_a_loan_and_a_form_sent_twice(served_at: Served) -> None:
    api, ctx, clock = served_at
    _lending(ctx)
    person = visitor_for(api)
    signed_up(person, api, PHONE)
    assert ctx.wallets.cash_in(PHONE, "SGD", 1_000_00).result.name == "ok"
    page = person.text("/app/loans")
    assert "To borrow, first agree to be scored." in page and "3 months at 18% a year" in page
    refused = _apply(person, "500")
    assert refused.status_code == 400 and "To borrow, first agree to be scored." in refused.text
    (wallet,) = ctx.wallet_store.of_phone(PHONE)
    ctx.service(CreditScores).give_consent(wallet)
    clock.advance(60)
    for amount, why in (("0", "Type an amount above zero."), ("abc", "Type an amount above zero."),
                        ("5", "That amount is outside what this loan lends.")):  # fmt: skip
        bad = _apply(person, amount)
        shown_error = re.search(r"data-testid=\"error\">([^<]*)<", bad.text)
        assert bad.status_code == 400 and why in bad.text, (amount, shown_error)
    person.client.cookies.set("colony_lang", "fi")
    finnish = _apply(person, "5")
    assert _apply(person, "500", form_id="").status_code == 400
    assert "Summa on tämän lainan rajojen ulkopuolella." in finnish.text
    assert "Lainat" in finnish.text
    person.client.cookies.set("colony_lang", "en")

    shown = person.get("/app/loans").text
    form_id = _FORM_ID.search(shown)
    assert form_id is not None
    fields = {"product": "cash_6m", "method": "schedule", "amount": "300.00",
              "form_id": form_id.group(1)}  # fmt: skip
    hidden = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', shown))
    for _ in range(2):  # the same form twice: one loan
        sent = person.client.post("/app/loans", data=hidden | fields)
        assert sent.status_code == 303, sent.text[:500]
    (loan,) = ctx.service(LoanService).loans_of(wallet)
    assert loan.principal_minor == 300_00 and loan.product == "cash_6m"
    assert "SGD 300.00 over 6 months" in person.text("/app/loans")
    assert re.search(r"Loan paid out [^+]* \+SGD 300\.00", person.text("/app"))  # not "Other"

    assert person.get("/console/loans").status_code == 303  # the app's session is not staff's
    staff = _signed_in(api, clock, _staff(ctx))
    console = staff.text("/console/loans")
    assert "harbour_bank" in console and "cash_6m" in console and "Vintage curves" in console
