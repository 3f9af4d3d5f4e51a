"""A loan form's id: drawn when the screen is drawn, it becomes the loan's (or the
repayment's) ledger id, so the same form sent twice lends or repays once."""

from __future__ import annotations

import secrets

# Bits of a form's id: a request-derived ledger id (top bits 01) holds 126.
_FORM_ID_BITS = 120
_REQUEST_DERIVED = 1 << 126


def form_id() -> str:
    return f"{secrets.randbits(_FORM_ID_BITS):030x}"


def id_of(text: str) -> int | None:
    """The ledger id of a form's id, or None for one not drawn by `form_id`."""
    try:
        value = int(text, 16)
    except ValueError:
        return None
    return _REQUEST_DERIVED | value if 0 < value < 1 << _FORM_ID_BITS else None
