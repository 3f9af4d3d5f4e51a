"""JSON encoders built once, when this module is imported, not for every request.

`json.dumps` with any argument of its own (compact separators, `sort_keys`) builds a new
encoder on every call: a `JSONEncoder`, a closure and the C encoder behind them. A payment's
answer and its request's hash are encoded on every payment, so their encoders are built
here once and called directly. Each gives the same text as the `json.dumps` it replaces
(`tests/api/test_json_bodies.py` checks it on arbitrary JSON values).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json import encoder as json_encoder


def _built(
    *, ensure_ascii: bool, allow_nan: bool, sort_keys: bool, compact: bool
) -> Callable[[object], str]:
    """An encoder giving what `json.JSONEncoder` with these settings gives, its C encoder
    made once. It does not check for circular references: what it encodes is the API's own
    answers and requests, plain trees (a cycle would end in RecursionError, not ValueError)."""
    separators = (",", ":") if compact else (", ", ": ")
    general = json.JSONEncoder(
        ensure_ascii=ensure_ascii, allow_nan=allow_nan, sort_keys=sort_keys, separators=separators
    )
    # The C encoder json.dumps makes on every call: not in the typing stubs, so looked up.
    make: Callable[..., Callable[[object, int], Iterable[str]]] | None = getattr(
        json_encoder, "c_make_encoder", None
    )
    if make is None:  # an interpreter without the C accelerator: the general encoder
        return general.encode
    strings = (
        json_encoder.encode_basestring_ascii if ensure_ascii else json_encoder.encode_basestring
    )
    item_separator, key_separator = separators
    encode_once = make(
        None, general.default, strings, None, key_separator, item_separator, sort_keys, False,
        allow_nan,
    )  # fmt: skip

    def encode(value: object) -> str:
        return "".join(encode_once(value, 0))

    return encode


# A response body, as Starlette's JSONResponse renders one (compact, UTF-8 as it is, no NaN).
response_json: Callable[[object], str] = _built(
    ensure_ascii=False, allow_nan=False, sort_keys=False, compact=True
)
# A request as its Idempotency-Key hash reads it: `json.dumps(request, sort_keys=True)`.
hashed_json: Callable[[object], str] = _built(
    ensure_ascii=True, allow_nan=True, sort_keys=True, compact=False
)
