"""Donations: causes (charities) the operator registers, and wallets giving to them.

The worked example of docs/adding-a-product.md: a product in one folder, with its records,
store, migrations, service and results; and its router (`router.py`)."""

from __future__ import annotations

from colony.donations.model import Cause, cause_name_chars_max
from colony.donations.results import DonationResult
from colony.donations.service import DonationService
from colony.donations.sql_store import open_cause_store

__all__ = [
    "Cause",
    "DonationResult",
    "DonationService",
    "cause_name_chars_max",
    "open_cause_store",
]
