"""When people pay: weights per local hour, on weekdays and at weekends.

Residents pay most at lunch and in the evening, some in the morning, little at night; at
weekends the morning starts later and the evening runs longer. Tourists keep a holiday's hours
(late mornings, long evenings). These are relative weights, not probabilities.
"""

from __future__ import annotations

import random

# Index: the local hour, 0 to 23.
RESIDENT_WEEKDAY = (1, 1, 1, 1, 1, 1, 3, 8, 10, 6, 5, 10, 22, 18, 6, 5, 6, 10, 18, 20, 14, 8, 4, 2)
RESIDENT_WEEKEND = (
    2,
    1,
    1,
    1,
    1,
    1,
    1,
    2,
    5,
    8,
    10,
    12,
    18,
    16,
    10,
    10,
    10,
    12,
    18,
    20,
    16,
    10,
    6,
    3,
)
TOURIST = (2, 1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 16, 14, 12, 12, 12, 12, 16, 18, 16, 12, 8, 4)

_HOURS = tuple(range(24))


def hour_weights(weekend: bool, tourist: bool) -> tuple[int, ...]:
    if tourist:
        return TOURIST
    return RESIDENT_WEEKEND if weekend else RESIDENT_WEEKDAY


def draw_hour(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(_HOURS, weights)[0]


def is_night(hour: int) -> bool:
    return hour < 6
