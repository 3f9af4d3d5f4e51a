"""Reconciling a partner's statement file against the ledger, for one window.

The file is CSV with a header row naming at least `id`, `amount_minor` and `currency`: one
line per payment (`pay_` and 32 hex digits, the amount posted) or refund (`re_` and 32 hex
digits, the amount given back) that crossed between the partner and another in the window,
in the payment's currency (the merchant's); the house's exchange for a cross-border payment
is not a line of its own (ADR 0019).
Each entry is matched, missing (from the file, or from the ledger) or different (same id,
another amount or currency). Reconciling only reads: a malformed file is refused whole, with
the line and the field that are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from colony.kernel.csv_rows import csv_rows
from colony.kernel.errors import InvalidInput
from colony.kernel.money import UnknownCurrency, held_currency
from colony.settlement.movements import STATEMENT_KINDS, Movement, MovementKind

# The longest statement file accepted, in bytes and in lines (the header row included).
statement_bytes_max = 16 * 1024 * 1024
statement_lines_max = 200_000
STATEMENT_COLUMNS = ("id", "amount_minor", "currency")
_PREFIXES = {MovementKind.payment: "pay_", MovementKind.refund: "re_"}
_ID_HEX_DIGITS = 32


@dataclass(frozen=True)
class Entry:
    ref: str  # pay_... or re_...
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class Difference:
    ref: str
    ledger: Entry
    statement: Entry


@dataclass(frozen=True)
class Reconciliation:
    matched: list[Entry]
    missing_from_statement: list[Entry]  # in the ledger, not in the file
    missing_from_ledger: list[Entry]  # in the file, not in the ledger
    different: list[Difference]


def movement_ref(m: Movement) -> str:
    return f"{_PREFIXES[m.kind]}{m.id:0{_ID_HEX_DIGITS}x}"


def parse_statement(text: str) -> list[Entry]:
    if len(text.encode()) > statement_bytes_max:
        raise InvalidInput(f"statement: the file is larger than {statement_bytes_max} bytes")
    rows = csv_rows(text.removeprefix("\ufeff").splitlines(), "statement")
    _, header = next(rows, (0, None))
    if header is None:
        raise InvalidInput("statement: the file is empty; line 1 must name the columns")
    names = [h.strip() for h in header]
    absent = [c for c in STATEMENT_COLUMNS if c not in names]
    if absent:
        raise InvalidInput(f"statement line 1: the header lacks column(s) {', '.join(absent)}")
    at = {c: names.index(c) for c in STATEMENT_COLUMNS}
    entries: dict[str, Entry] = {}
    for number, row in rows:
        if number > statement_lines_max:
            raise InvalidInput(f"statement: more than {statement_lines_max} lines")
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(row) != len(names):
            raise InvalidInput(
                f"statement line {number}: {len(row)} fields, the header has {len(names)}"
            )
        entry = _entry(number, *(row[at[c]].strip() for c in STATEMENT_COLUMNS))
        if entry.ref in entries:
            raise InvalidInput(f"statement line {number}: id {entry.ref} appears twice")
        entries[entry.ref] = entry
    return list(entries.values())


def _entry(number: int, ref: str, amount: str, currency: str) -> Entry:
    prefix = next((p for p in _PREFIXES.values() if ref.startswith(p)), None)
    digits = ref.removeprefix(prefix or "")
    if (
        prefix is None
        or len(digits) != _ID_HEX_DIGITS
        or not all(c in "0123456789abcdef" for c in digits)
    ):
        raise InvalidInput(
            f"statement line {number}: id must be pay_ or re_ and 32 lower-case hex digits,"
            f" not {ref!r}"
        )
    if not amount.isascii() or not amount.isdigit() or int(amount) <= 0:
        raise InvalidInput(
            f"statement line {number}: amount_minor must be a positive whole number of minor"
            f" units, not {amount!r}"
        )
    try:
        code = held_currency(currency)
    except UnknownCurrency:
        raise InvalidInput(
            f"statement line {number}: currency must be an ISO 4217 code, not {currency!r}"
        ) from None
    return Entry(ref, int(amount), code)


def reconcile(ledger_movements: list[Movement], statement: list[Entry]) -> Reconciliation:
    ours = {
        movement_ref(m): Entry(movement_ref(m), m.amount_minor, m.currency)
        for m in ledger_movements
        if m.kind in STATEMENT_KINDS
    }
    theirs = {e.ref: e for e in statement}
    matched, different = [], []
    for ref, entry in ours.items():
        other = theirs.get(ref)
        if other == entry:
            matched.append(entry)
        elif other is not None:
            different.append(Difference(ref, entry, other))
    return Reconciliation(
        matched,
        [e for ref, e in ours.items() if ref not in theirs],
        [e for ref, e in theirs.items() if ref not in ours],
        different,
    )
