"""CSV from outside Colony (a partner's statement, an operator's rates file), row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from colony.kernel.errors import InvalidInput


def csv_rows(lines: Iterable[str], where: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of `lines` with the number of the line it ends on. A row the csv module
    refuses (a field past its limit of 131,072 characters, a NUL) is bad input like any
    other, `InvalidInput` naming `where` and the line, not `csv.Error`: a caller that
    answers bad input (exit 2, HTTP 400) would otherwise treat it as a bug."""
    # strict: a quote left open at the end, or text after a closing quote, is refused, not
    # read as if closed (a rate of 1.1 from `"1.1` and the end of the file).
    reader = csv.reader(lines, strict=True)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(f"{where} line {reader.line_num}: {exc}") from None
        yield reader.line_num, row
