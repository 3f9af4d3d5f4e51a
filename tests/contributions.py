"""What products' tests folders contribute to the checks that span every product.

A check over all of Colony (every code of the chart met, every route attacked) reads what a
product adds to it from a module of a known name in the product's own tests folder,
`tests/<product>/<name>.py`, so adding a product adds a file beside its tests and edits no
shared one. The modules:

- `chart_money.py`: `move(ctx: ApiContext) -> None` moves the product's kinds of money in a
  market the demo seeded (tests/chart/test_ledger_keeps_to_the_chart.py);
- `api_access.py`: who may call the product's routes, a body per POST and a victim per path
  parameter (tests/api/test_access.py says what each name holds).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parent


def contributed(name: str) -> list[ModuleType]:
    """Every `tests/<folder>/<name>.py`, imported, in the folders' order by name."""
    return [
        importlib.import_module(f"tests.{path.parent.name}.{name}")
        for path in sorted(TESTS.glob(f"*/{name}.py"))
    ]
