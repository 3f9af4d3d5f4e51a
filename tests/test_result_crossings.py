"""Results cross contexts through explicit mappings, never by name: `PayResult[r.name]` turns
a renamed or new member on one side into a KeyError at run time on the other."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "colony"


def _lookups_by_name(source: str, where: str) -> list[str]:
    """Each `Capitalised[something.name]` in the source, as 'where:line: code'."""
    return [
        f"{where}:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
        and isinstance(node.slice, ast.Attribute)
        and node.slice.attr == "name"
    ]


def test_no_enum_member_is_looked_up_by_another_enums_name() -> None:
    hits = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        for hit in _lookups_by_name(path.read_text(), str(path.relative_to(SRC)))
    ]
    assert hits == []


def test_the_check_sees_such_a_lookup() -> None:
    assert _lookups_by_name("x = PayResult[result.name]\n", "s.py") == [
        "s.py:1: PayResult[result.name]"
    ]
    assert _lookups_by_name("x = PAY_RESULT_OF_CHAIN[result]\ny = d[r.name]\n", "s.py") == []
