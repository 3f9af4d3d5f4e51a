"""What products' tests folders contribute to the checks that span every product.

A check over all of Colony (every code of the chart met, every route attacked) reads what a
product adds to it from a module of a known name in the product's own tests folder,
`tests/<product>/<name>.py`, so adding a product adds a file beside its tests and edits no
shared one. The modules:

- `chart_money.py`: `move(ctx: ApiContext) -> None` moves the product's kinds of money in a
  market the demo seeded (tests/chart/test_ledger_keeps_to_the_chart.py);
- `api_access.py`: who may call the product's routes, a body per POST and a victim per path
  parameter (tests/api/test_access.py says what each name holds), and the scope each needs
  (tests/api/test_scopes.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Hashable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

TESTS = Path(__file__).resolve().parent
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


def contributed(name: str) -> list[ModuleType]:
    """Every `tests/<folder>/<name>.py`, imported, in the folders' order by name."""
    return [
        importlib.import_module(f"tests.{path.parent.name}.{name}")
        for path in sorted(TESTS.glob(f"*/{name}.py"))
    ]


def declared(module: str, name: str) -> list[Any]:
    """What the contributed `module`s declare under `name`, of those that declare it."""
    return [getattr(m, name) for m in contributed(module) if hasattr(m, name)]


def each_once(tables: list[dict[Key, Value]]) -> dict[Key, Value]:
    """The tables as one; a key two of them declare is a mistake, never an override."""
    merged: dict[Key, Value] = {}
    for table in tables:
        assert not set(merged) & set(table), f"declared twice: {set(merged) & set(table)}"
        merged |= table
    return merged
