"""Text that storage can hold, and names that read as they are written: the checks the API's
request bodies make at the edge (api/input_limits.py), here so that a product's own service
makes them too, whichever way a name arrives (a form of the app, the API, a script).
"""

from __future__ import annotations

import re

# C0 controls (NUL, tab, newline, escape, ...), DEL, C1 controls, and UTF-16 surrogates,
# which a JSON string can carry escaped (`"\ud800"`) but no UTF-8 text can.
_UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Unicode's bidirectional embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069) and marks (U+200E, U+200F, U+061C: a mark at a name's end turns the
# number after it around). Right-to-left names need none of them: their letters carry their
# direction.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# Characters that show nothing, so two names that read alike are not alike: the zero-width
# space, the byte-order mark, the line and paragraph separators. (The zero-width joiner and
# non-joiner are kept: Persian and Indic names are written with them.)
_INVISIBLE = "\u200b\ufeff\u2028\u2029"
_NOT_IN_A_NAME = re.compile(f"[{_BIDI_CONTROLS}{_INVISIBLE}]")


def storable(text: str) -> str:
    """`text`, if storage can hold it; ValueError (a 400 naming the field) if not."""
    return _without(_UNSTORABLE, text, "control characters or lone surrogates")


def plain_name(name: str) -> str:
    """`name`, if it holds no bidirectional control or invisible character; ValueError if it
    does."""
    return _without(_NOT_IN_A_NAME, name, "bidirectional controls or invisible characters")


def is_plain_name(name: str) -> bool:
    """Whether `name` is storable and holds no bidirectional control or invisible character."""
    return not (_UNSTORABLE.search(name) or _NOT_IN_A_NAME.search(name))


# What a free text written by a person (a reason kept in an audit log) may hold beyond
# a name: tabs and line breaks.
_NOT_PLAIN_TEXT = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_BIDI_CONTROLS}{_INVISIBLE}]"
)


def is_plain_text(text: str) -> bool:
    """Whether `text` holds no control character but tabs and line breaks, no lone surrogate
    and no bidirectional control or invisible character: what a reason kept for good may
    hold."""
    return _NOT_PLAIN_TEXT.search(text) is None


def _without(refused: re.Pattern[str], text: str, what: str) -> str:
    found = refused.search(text)
    if found is not None:
        raise ValueError(f"must not contain {what} (U+{ord(found.group()):04X} at {found.start()})")
    return text
