"""What the edge accepts: every amount and text a request carries, held to what storage can
hold before anything is written (docs/adr/0029-input-limits-at-the-edge.md).

A request whose amount or text storage cannot hold is the caller's mistake, answered 400
naming its parameter. Let through, it would fail inside a shared group commit, beside other
people's payments, or come back from PostgreSQL as an error that looks like an outage.

Request bodies are `RequestBody` models, whose every text field is checked, and whose amounts
are `AmountMinor`:

- `AmountMinor`: a positive integer of minor units no larger than `amount_minor_max`;
- text: no control characters (C0, DEL, C1: NUL among them, which PostgreSQL's text cannot
  hold) and no lone surrogates (which no UTF-8 column can hold);
- names (`name_fields`: a merchant's, a wallet owner's, a partner's, a cause's), shown to
  people beside money: no bidirectional controls either, which reorder what a reader sees
  ("evil\u202egnp.exe" shows as "evilexe.png"), nor invisible characters
  (kernel/text_checks.py).

Country codes are the services' to check, against Colony's own ISO 3166-1 table
(kernel/countries.py), each answering with its own result code.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from colony.kernel.money import amount_minor_max
from colony.kernel.text_checks import plain_name, storable

# The largest amount a request may carry, in minor units: a signed 64-bit integer (2^63 - 1).
# The ledger holds u128 amounts, but a record keeps its amount in 64 bits: one bound for every
# amount the API takes (kernel/money.py), even those no record stores (a capture, a P2P
# transfer), and a client learns one limit.

AmountMinor = Annotated[int, Field(gt=0, le=amount_minor_max)]


class RequestBody(BaseModel):
    """A request's body: every text field is refused with what storage cannot hold, after
    the field's own type and length checks (so those answer in their own words). Strict: a
    number is never taken from a string, nor a string from a number."""

    model_config = ConfigDict(strict=True)
    # The fields that name someone or something shown to people: held to `plain_name` too.
    name_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            storable(value)
            if info.field_name in cls.name_fields:
                plain_name(value)
        return value
