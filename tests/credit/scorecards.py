"""A small hand-made model for the credit tests: every characteristic of both scorecards
with bins and points chosen by hand, so scores and reasons can be worked out on paper."""

from __future__ import annotations

from colony.credit import Model, Scaling, Subject
from colony.credit.scorecard import (
    CHARACTERISTICS,
    Bin,
    CharacteristicPoints,
    Scorecard,
    points_json,
    version_of,
)


def card(subject: Subject, points: dict[str, tuple[int, int, int]]) -> Scorecard:
    """Each characteristic: values up to 1.0, above 1.0, and missing, with these points
    (a characteristic not named gets 50 in every bin)."""
    found = []
    for c in CHARACTERISTICS[subject]:
        low, high, missing = points.get(c.name, (50, 50, 50))
        bins = (
            Bin(1.0, False, low, 0.0, 10),
            Bin(None, False, high, 0.0, 10),
            Bin(None, True, missing, 0.0, 0),
        )
        found.append(CharacteristicPoints(c.name, c.reason, bins))
    return Scorecard(subject, tuple(found))


def hand_model(
    person: dict[str, tuple[int, int, int]] | None = None,
    merchant: dict[str, tuple[int, int, int]] | None = None,
) -> Model:
    cards = {Subject.person: card(Subject.person, person or {}),
             Subject.merchant: card(Subject.merchant, merchant or {})}  # fmt: skip
    scaling = Scaling()
    version = version_of(points_json(scaling, cards))
    return Model(version, "2026-12-01T00:00:00+00:00", scaling, cards, {}, {})
