"""The ledger's JSON-lines interchange format, used by `colony ledger import` and `export`.

One object per line: `{"type": "account" | "transfer", ...fields}` with TigerBeetle's field
names, flags as a list of flag names, and integers for every number. u128 values may also be
written as strings of decimal digits, because many JSON tools lose precision past 2**53.

`{"type": "batch_end"}` ends a batch: the events since the last end (or the start) are applied
as one batch, which is what linked chains and `linked_event_chain_open` are about. A batch also
ends where the type changes and after 8,190 events, so a file without markers still imports.

Parsing is strict, because this is where outside data enters the ledger: an unknown field, a
float, a negative number, a boolean or an unknown flag is refused with an error that names the
line and the field, never guessed at.
"""

from __future__ import annotations

import json
from typing import Any

from colony.kernel.errors import InvalidInput
from colony.ledger.model import (
    ACCOUNT_FIELD_BITS,
    AMOUNT_MAX,
    TRANSFER_FIELD_BITS,
    Account,
    AccountFlags,
    Transfer,
    TransferFlags,
)

_ACCOUNT_FIELDS = ACCOUNT_FIELD_BITS
_TRANSFER_FIELDS = TRANSFER_FIELD_BITS
_ACCOUNT_REQUIRED = ("id", "ledger", "code")
_TRANSFER_REQUIRED = ("id", "debit_account_id", "credit_account_id", "amount", "ledger", "code")
# A post or void names the pending transfer; its accounts, ledger and code may be left out.
_POST_OR_VOID_REQUIRED = ("id", "pending_id")
_POST_OR_VOID = ("post_pending_transfer", "void_pending_transfer")
# Significant digits of the largest value any field holds, 2**128 - 1. A longer number is out
# of range without being read, and is refused naming its field: read, one past 4,300 digits
# is a ValueError from inside the JSON reader (Python's bound on reading integers).
u128_digits_max = len(str(2**128 - 1))


class BatchEnd:
    """A `{"type": "batch_end"}` line: the batch so far is complete."""

    def __repr__(self) -> str:
        return "BATCH_END"


BATCH_END = BatchEnd()
BATCH_END_JSON: dict[str, object] = {"type": "batch_end"}


def parse_line(text: str, line_number: int) -> Account | Transfer | BatchEnd:
    """One JSON line into an Account, a Transfer or the end of a batch; InvalidInput names the
    line and field."""
    where = f"line {line_number}"
    try:
        obj = loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RepeatedField as exc:
        raise FieldError(f"{where}: {exc}", exc.field) from None
    except RecursionError:  # arrays or objects nested past Python's recursion limit
        raise InvalidInput(f"{where}: not JSON Colony reads: nested too deeply") from None
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: expected a JSON object, got {type(obj).__name__}")
    kind = obj.pop("type", None)
    if kind == "account":
        return parse_account(obj, where)
    if kind == "transfer":
        return parse_transfer(obj, where)
    if kind == "batch_end":
        if obj:
            raise FieldError(f'{where}: a batch_end line has no fields, not "{sorted(obj)[0]}"')
        return BATCH_END
    raise InvalidInput(
        f'{where}: field "type" must be "account", "transfer" or "batch_end", not {kind!r}'
    )


# The most digits Python's `int` reads from text (its default `sys.get_int_max_str_digits`).
int_digits_read_max = 4_300


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number, and every integer too long for any field, kept
    aside, so that the field parsers refuse it naming the field."""
    return json.loads(
        text,
        parse_float=_NotInteger,
        parse_constant=_NotInteger,
        # Only a text longer than the digits `int` reads can hold a number it cannot read:
        # a shorter one's numbers are read at C speed (and refused by their field's range).
        parse_int=_integer if len(text) > int_digits_read_max else None,
        object_pairs_hook=_without_repeats,
    )


class RepeatedField(ValueError):
    """A JSON object naming a field twice: refused, where JSON's readers keep the last."""

    def __init__(self, field: str) -> None:
        super().__init__(f'field "{field}" is given twice')
        self.field = field


def _without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedField(key)
            seen.add(key)
    return obj


class FieldError(InvalidInput):
    """Malformed input in one field of an event (`field` None: the event as a whole)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def parse_account(obj: object, where: str) -> Account:
    """An account from a decoded JSON object without its "type" (`where` prefixes errors)."""
    return Account(
        **_fields(_object(obj, where), _ACCOUNT_FIELDS, AccountFlags, _ACCOUNT_REQUIRED, where)
    )


def parse_transfer(obj: object, where: str) -> Transfer:
    """A transfer from a decoded JSON object without its "type" (`where` prefixes errors)."""
    obj = _object(obj, where)
    flag_names = obj.get("flags", [])
    post_or_void = isinstance(flag_names, list) and any(n in flag_names for n in _POST_OR_VOID)
    required = _POST_OR_VOID_REQUIRED if post_or_void else _TRANSFER_REQUIRED
    values = _fields(obj, _TRANSFER_FIELDS, TransferFlags, required, where)
    values.setdefault("debit_account_id", 0)
    values.setdefault("credit_account_id", 0)
    # A post that names no amount posts the whole pending amount; a void voids it all.
    posts = post_or_void and "post_pending_transfer" in flag_names
    values.setdefault("amount", AMOUNT_MAX if posts else 0)
    values.setdefault("ledger", 0)
    values.setdefault("code", 0)
    return Transfer(**values)


def _object(obj: object, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise FieldError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _fields(
    obj: dict[str, Any],
    known: dict[str, int],
    flag_enum: type[AccountFlags] | type[TransferFlags],
    required: tuple[str, ...],
    where: str,
) -> dict[str, int]:
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise FieldError(f'{where}: unknown field "{unknown[0]}"', unknown[0])
    missing = [name for name in required if name not in obj]
    if missing:
        raise FieldError(f'{where}: missing field "{missing[0]}"', missing[0])
    values: dict[str, int] = {}
    for name, raw in obj.items():
        try:
            if name == "flags":
                values[name] = _flags(raw, flag_enum, where)
            else:
                values[name] = _unsigned(raw, known[name], f'{where}: field "{name}"')
        except InvalidInput as exc:
            raise FieldError(str(exc), name) from None
    return values


def _unsigned(raw: object, bits: int, what: str) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{what} must be an integer, not a boolean")
    if isinstance(raw, _NotInteger):
        raise InvalidInput(
            f"{what} must be an integer of minor units, not {raw.text} (floats are not money)"
        )
    if isinstance(raw, str):
        if not raw.isascii() or not raw.isdigit():
            raise InvalidInput(f"{what} must be an integer or a string of digits, not {raw!r}")
        raw = _integer(raw)
    if isinstance(raw, _TooLong):
        raise InvalidInput(f"{what} must be an unsigned {bits}-bit integer, not {raw}")
    if not isinstance(raw, int):
        raise InvalidInput(f"{what} must be an integer, not {type(raw).__name__}")
    if not 0 <= raw < (1 << bits):
        raise InvalidInput(f"{what} must be an unsigned {bits}-bit integer, not {raw}")
    return raw


def _flags(raw: object, flag_enum: type[AccountFlags] | type[TransferFlags], where: str) -> int:
    if not isinstance(raw, list):
        raise InvalidInput(f'{where}: field "flags" must be a list of flag names')
    value = 0
    for name in raw:
        if not isinstance(name, str) or name == "none" or name not in flag_enum.__members__:
            known = ", ".join(n for n in flag_enum.__members__ if n != "none")
            raise InvalidInput(f'{where}: field "flags": unknown flag {name!r} (known: {known})')
        value |= int(flag_enum[name])
    return value


def flag_names(value: int, flag_enum: type[AccountFlags] | type[TransferFlags]) -> list[str]:
    return [name for name, flag in flag_enum.__members__.items() if flag and value & flag]


def account_to_json(a: Account) -> dict[str, object]:
    out: dict[str, object] = {"type": "account"}
    for name in _ACCOUNT_FIELDS:
        value = getattr(a, name)
        out[name] = flag_names(value, AccountFlags) if name == "flags" else value
    return out


def transfer_to_json(t: Transfer) -> dict[str, object]:
    out: dict[str, object] = {"type": "transfer"}
    for name in _TRANSFER_FIELDS:
        value = getattr(t, name)
        out[name] = flag_names(value, TransferFlags) if name == "flags" else value
    return out


class _NotInteger:
    """A JSON number with a fraction or exponent (or NaN, Infinity): kept as text, refused."""

    def __init__(self, text: str) -> None:
        self.text = text


class _TooLong:
    """An integer with more significant digits than any field holds: kept unread, refused."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a number of {self.digits:,} digits"


def _integer(text: str) -> int | _TooLong:
    """The integer a JSON number or a string of digits writes, if some field could hold it."""
    if len(text) <= u128_digits_max:  # nearly every one: read as json would, at C speed
        return int(text)
    # Read past its leading zeros (a string of digits may have thousands), which Python's
    # limit on the digits `int` reads counts as digits too.
    sign, zeros_on = ("-", text[1:]) if text.startswith("-") else ("", text)
    significant = zeros_on.lstrip("0")
    if len(significant) > u128_digits_max:
        return _TooLong(len(significant))
    return int(sign + (significant or "0"))
