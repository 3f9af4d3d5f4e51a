"""A QR payment is scored where the shop is (docs/adr/0063): the merchant's registered city
gives risk control the payment's place (its centre, from the table Colony ships) and the
local time zone there. Over real HTTP on loopback: a payment in the small hours of the
shop's zone is challenged by the night-hour rule, and a payment in Lapland an hour after one
in Singapore is impossible travel (held for review once the rule is active) and far from the
wallet's home."""

from __future__ import annotations

import dataclasses

import httpx

from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.merchants import MerchantPlace, place_of
from colony.risk import Channel, Decision, Place, Reason, RiskCheck
from tests.api.test_payment_api import onboard, static_code
from tests.risk.test_risk_api import _pay, _rules, _shop

Served = tuple[httpx.Client, ApiContext, ManualClock]


def test_a_merchants_city_gives_its_centre_and_zone() -> None:
    singapore = place_of("SG", "Singapore")
    assert singapore == MerchantPlace(1_289_700, 103_850_100, "Asia/Singapore")
    assert place_of("fi", " rovaniemi ") == place_of("FI", "Rovaniemi")
    # A city the table lacks: the country's zone when the country has one, no centre.
    assert place_of("FI", "Inari") == MerchantPlace(None, None, "Europe/Helsinki")
    # ... and nothing where the country spans zones, or is not in the table.
    assert place_of("US", "Boston") is None
    assert place_of("ZZ", "Nowhere") is None
    # Offsets at the moment paid, summer time counted: Helsinki is UTC+2 in January,
    # UTC+3 in July.
    helsinki = place_of("FI", "Helsinki")
    assert helsinki is not None
    assert helsinki.utc_offset_min(1_767_225_600 * 10**9) == 120  # 2026-01-01
    assert helsinki.utc_offset_min(1_782_864_000 * 10**9) == 180  # 2026-07-01
    assert singapore is not None and singapore.utc_offset_min(1_767_225_600 * 10**9) == 480
    assert singapore.utc_offset_min(0) == 450  # UTC+7:30 until 1982: zones have history


def test_the_night_hour_is_the_shops(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    clock = served_at[2]
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.night_hour, Decision.challenge, 5))  # before 5 a.m.
    # 2026-01-01 00:00 UTC is 08:00 in Singapore: paid.
    assert _pay(client, alice, code, 500, "breakfast").status_code == 201
    clock.advance(19 * 3_600)  # 19:00 UTC, 03:00 in Singapore: challenged
    late = _pay(client, alice, code, 500, "supper")
    assert late.status_code == 402, late.text
    assert late.json()["error"]["code"] == "risk_challenge_required"
    assert "night_hour" in late.json()["error"]["message"]
    assert check.store is not None
    (kept,) = check.store.recent()
    assert (kept.assessment.reasons, kept.event.channel) == ((Reason.night_hour,), Channel.qr)


def test_a_payment_in_lapland_an_hour_after_singapore_is_impossible_travel(
    served_at: Served,
) -> None:
    client, ctx, code, alice = _shop(served_at)
    clock = served_at[2]
    check = ctx.service(RiskCheck)
    lapland = onboard(client, ctx, "Santa's Mugs", country="FI", city="Rovaniemi")
    mugs = static_code(client, lapland)
    for key in ("lunch", "dinner", "snack"):  # home: Singapore
        assert _pay(client, alice, code, 900, key).status_code == 201
        clock.advance(600)
    clock.advance(3_600)
    # About 9,000 km in an hour, far from home: both named, in shadow mode as shipped.
    paid = _pay(client, alice, mugs, 1_500, "mug")
    assert (paid.status_code, paid.json()["status"]) == (201, "succeeded"), paid.text
    assert check.store is not None
    kept = check.store.recent()[0]
    assert kept.assessment.decision is Decision.allow
    assert {Reason.impossible_travel, Reason.far_from_home} <= set(kept.assessment.shadow_reasons)
    # Kept with where it was, for the analyst: Rovaniemi's centre, two hours ahead of UTC.
    assert kept.event.place is not None and kept.event.utc_offset_min == 120
    assert 66_000_000 < kept.event.place.lat_micro < 67_000_000
    # The wallet's home is Singapore's centre, where it paid three times.
    probe = dataclasses.replace(kept.event, place=Place(1_289_700, 103_850_100))
    assert check.features.features(probe).home_km == 0
    # Once analysts turn the rule active, flying back to Singapore in ten minutes is held
    # for review.
    check.use_rules(_rules(Reason.impossible_travel, Decision.review, 1_000))
    clock.advance(600)
    back = _pay(client, alice, code, 900, "back")
    assert (back.status_code, back.json()["status"]) == (201, "requires_capture"), back.text
    assert check.store.recent()[0].assessment.reasons == (Reason.impossible_travel,)


def test_a_shop_in_a_city_unknown_is_scored_without_a_place(served_at: Served) -> None:
    client, ctx, code, alice = _shop(served_at)
    check = ctx.service(RiskCheck)
    check.use_rules(_rules(Reason.amount_large, Decision.challenge, 1))
    assert _pay(client, alice, code, 50, "here").status_code == 201  # in Singapore
    nowhere = onboard(client, ctx, "Far Away", country="US", city="Atlantis")
    refused = _pay(client, alice, static_code(client, nowhere), 500, "far")
    assert refused.json()["error"]["code"] == "risk_challenge_required"
    # No place: neither travel nor distance from home, and the hour read in UTC.
    assert check.store is not None
    kept = check.store.recent()[0]
    assert (kept.assessment.reasons, kept.assessment.shadow_reasons) == ((Reason.amount_large,), ())
