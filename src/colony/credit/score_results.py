"""The business outcomes of consenting and scoring (numbers are never reused)."""

from __future__ import annotations

import enum


class ScoreResult(enum.IntEnum):
    ok = 0
    consent_required = 1  # the person has not consented to be scored (or withdrew)
    not_consented = 2  # a withdrawal without a consent in force
    merchant_not_found = 3
