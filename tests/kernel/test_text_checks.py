"""Names and reasons shown beside money hold nothing that hides or reorders what people
read (kernel/text_checks.py): the API's bodies, the wallet's sign-up, the audit log's
reasons."""

from __future__ import annotations

import pytest

from colony.kernel.text_checks import is_plain_name, is_plain_text, plain_name


@pytest.mark.parametrize(
    ("text", "name", "reason"),
    [
        ("Ann Lee", True, True),
        ("\u0645\u0631\u064a\u0645", True, True),  # right to left by its own letters
        ("\u0645\u200c\u0631", True, True),  # a zero-width non-joiner: Persian spelling
        ("\u0915\u094d\u200d\u0937", True, True),  # a zero-width joiner: Devanagari
        ("two lines:\n\tindented", False, True),  # a person's lines and tabs, in a reason
        ("Ann\u202eevil", False, False),  # an override
        ("Ann\u2066evil", False, False),  # an isolate
        ("Ann\u200f", False, False),  # a right-to-left mark: the number after it turns
        ("Ann\u200e", False, False),
        ("A\u061cB", False, False),  # the Arabic letter mark
        ("A\u200bB", False, False),  # a zero-width space
        ("A\ufeffB", False, False),
        ("A\u2028B", False, False),
        ("A\x1bB", False, False),
        ("A\x00B", False, False),
        ("A\x85B", False, False),  # a C1 control
    ],
)
def test_names_and_reasons(text: str, name: bool, reason: bool) -> None:
    assert (is_plain_name(text), is_plain_text(text)) == (name, reason)


def test_a_refused_name_says_what_and_where() -> None:
    with pytest.raises(
        ValueError, match=r"bidirectional controls or invisible characters \(U\+200F at 3\)"
    ):
        plain_name("Ann\u200f")
