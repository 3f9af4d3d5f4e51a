"""What the complaints pages of the app, the merchant portal and the console share: the shape
of the ids in their paths, how a photo is served, the name a merchant is shown by, the
texts every template is given, and which refusals a page's `?error=` may show."""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import Response

from colony.disputes.complaint_texts import (
    ACTOR_TEXTS,
    CATEGORY_TEXTS,
    DISPUTE_STATUS_TEXTS,
    STATUS_TEXTS,
)
from colony.disputes.model import text_chars_max
from colony.disputes.results import ComplaintResult
from colony.merchants import MerchantService

# A photo is private to the case, and never changes once kept.
PHOTO_HEADERS = {"Cache-Control": "private, max-age=3600"}
COMPLAINT_ID = re.compile(r"cmp_[0-9a-f]{32}")
DISPUTE_ID = re.compile(r"dsp_[0-9a-f]{32}")
PAGE_TEXTS: dict[str, Any] = {
    "categories": CATEGORY_TEXTS,
    "statuses": STATUS_TEXTS,
    "dispute_statuses": DISPUTE_STATUS_TEXTS,
    "actors": ACTOR_TEXTS,
    "text_max": text_chars_max,
}

# What a complaint's or dispute's page shows from its `?error=`: the name of a refusal its
# own forms send back (a ComplaintResult's). Any other text is dropped, not shown: a link
# carrying "your session expired, sign in at ..." would read as the site's own words.
ERROR_NAMES = frozenset(ComplaintResult.__members__) - {ComplaintResult.ok.name}


def shown_error(typed: str) -> str:
    """The refusal a page was sent back with, when it is one of `ERROR_NAMES`; else none."""
    return typed if typed in ERROR_NAMES else ""


def photo_response(found: tuple[bytes, str]) -> Response:
    # Served as the type its bytes were checked to be (the shell's guard says nosniff).
    return Response(found[0], media_type=found[1], headers=PHOTO_HEADERS)


def merchant_name(merchants: MerchantService, merchant_id: str) -> str:
    """The name a complaint's merchant is shown by: its display name, else its id (a
    merchant no longer known still has complaints to read)."""
    found = merchants.by_id(merchant_id)
    return merchant_id if found is None else found.display_name
