"""The app's "Your credit score" screen over HTTP, as a browser without script uses it: the
consent form first, a score with its reasons in the person's language once they agree, the
history, and withdrawing; the console's wallet page shows the score and the consent."""

from __future__ import annotations

import pytest

from colony.credit import CreditScores, Subject
from colony.staff import Role
from tests.api.test_funding_api import Served
from tests.web.test_console_pages import _signed_in, _staff
from tests.web.visitor import signed_up, visitor_for, words

PHONE = "+6591110002"


def test_consent_a_score_with_reasons_and_withdrawal_on_the_app(served_at: Served) -> None:
    api, ctx, clock = served_at
    person = visitor_for(api)
    signed_up(person, api, PHONE)
    assert "Your credit score" in person.text("/app")
    first = person.text("/app/credit")
    assert "I agree: score me" in first and "whom you pay is used" in first
    assert "Score " not in first.replace("score me", "")  # no score before consent

    agreed = person.post("/app/credit/consent", {}, form_at="/app/credit")
    assert agreed.headers.get("location") == "/app/credit", agreed.text[:500]
    page = person.text("/app/credit")
    assert "What holds your score back" in page and "Withdraw my consent" in page
    # A new wallet: its identity is not verified, and there is little history to go on.
    assert "Your identity is not verified." in page
    clock.advance(60)
    person.post("/app/credit/score", {}, form_at="/app/credit")
    (wallet,) = ctx.wallet_store.of_phone(PHONE)
    history = ctx.service(CreditScores).history(Subject.person, wallet.id)
    assert len(history) == 2 and history[0].scored_at_ns > history[1].scored_at_ns
    assert f"Score {history[0].score} " in person.text("/app/credit")

    person.client.cookies.set("colony_lang", "fi")
    assert "Henkilöllisyyttäsi ei ole vahvistettu." in person.text("/app/credit")
    person.client.cookies.set("colony_lang", "en")

    staff = _signed_in(api, clock, _staff(ctx, Role.operations))
    console = staff.text(f"/console/wallets/{wallet.id}")
    assert "Credit score" in console and "Consents to be scored since" in console
    assert "P03 Your identity is not verified." in console

    person.post("/app/credit/withdraw", {}, form_at="/app/credit")
    after = person.text("/app/credit")
    assert "You withdrew your consent" in after and "I agree: score me" in after
    assert "What holds your score back" not in after and "Your scores" in after
    console = staff.text(f"/console/wallets/{wallet.id}")
    assert "Does not consent to be scored" in console


@pytest.mark.parametrize("typed", ["\u00b2", "\u0663", "9" * 5_000, "", "08x"])
def test_a_due_day_or_instalments_that_are_no_number_are_refused_on_the_page(
    served_at: Served, typed: str
) -> None:
    """Other scripts' digits pass str.isdigit() and 5,000 digits pass int()'s limit no more:
    the screen again with what to choose, a 400, never a 500."""
    api, _, _ = served_at
    person = visitor_for(api)
    signed_up(person, api, PHONE)
    opened = person.post("/app/credit/line", {"due_day": typed}, form_at="/app/credit")
    assert opened.status_code == 400, opened.text[:300]
    assert "Choose the 8th, 9th or 10th." in words(opened.text)
    fields = {"form_id": "ab" * 16, "instalments": typed, "what": "bill"}
    split = person.post("/app/credit/line/plan", fields, form_at="/app/credit")
    assert split.status_code == 400, split.text[:300]
    assert "You have no credit line." in words(split.text)
