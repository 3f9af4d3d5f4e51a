"""Products take codes and ids from the chart, never write their own: checked on the source.

What the chart cannot make impossible by itself, this test catches: an `Account` or
`Transfer` built with a literal code or ledger number, a derived id made without a declared
slot, a prefixed id shifted by hand, or a module-level code constant set to a number. The
ledger (which knows no codes), the chart itself and the ledger benchmark (synthetic accounts
on a throwaway database of its own, measuring the ledger alone) are not products.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "colony"
NOT_PRODUCTS = {"ledger", "chart", "bench"}
# Where `code` and `ledger` sit among the positional arguments of each record.
POSITIONS = {"Account": {"ledger": 1, "code": 2}, "Transfer": {"ledger": 4, "code": 5}}
DERIVERS = {"derived_id", "tagged_id"}
CODE_NAMES = ("ACCOUNT_", "TRANSFER_", "CODE_", "_CHART", "_BASE")


def _literal_int(node: ast.expr | None) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def findings(source: str, where: str) -> list[str]:
    """Every literal code, literal ledger, hand-made derived or prefixed id in `source`."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) in POSITIONS:
            for field, index in POSITIONS[str(_callee(node))].items():
                given = node.args[index] if index < len(node.args) else None
                given = next((k.value for k in node.keywords if k.arg == field), given)
                # 0: a post or void carries its pending transfer's code and ledger.
                if _literal_int(given) not in (None, 0):
                    found.append(f"{where}:{node.lineno}: {_callee(node)} with a literal {field}")
        elif isinstance(node, ast.Call) and _callee(node) in DERIVERS:
            found.append(f"{where}:{node.lineno}: {_callee(node)} outside the chart: use a Slot")
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.LShift)
            and _literal_int(node.right) == 120
        ):
            found.append(f"{where}:{node.lineno}: an id prefix shifted by hand: use IdPrefix")
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        value = getattr(statement, "value", None)
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else ""
            if any(part in name for part in CODE_NAMES) and _literal_int(value) is not None:
                found.append(f"{where}:{statement.lineno}: {name} is a number, not the chart's")
    return found


def _product_modules() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] not in NOT_PRODUCTS
    ]


@pytest.mark.parametrize("path", _product_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_products_write_no_code_or_id_of_their_own(path: Path) -> None:
    assert findings(path.read_text(), str(path.relative_to(SRC))) == []


def test_the_scan_can_fail() -> None:
    bad = "\n".join(
        [
            "ACCOUNT_SHOP = 41",
            "_CHART_X = 0xF7",
            "a = Account(1, 840, 41)",
            "t = Transfer(1, 2, 3, 100, ledger, 250)",
            "u = Transfer(1, 2, 3, 100, ledger=978, code=TransferCode.p2p)",
            "p = Transfer(9, 0, 0, 5, 0, 0, POST, pending_id=1)",  # a post: fine
            "i = derived_id(payment_id, 7)",
            "j = (0xF7 << 120) | ledger",
        ]
    )
    assert findings(bad, "bad.py") == [
        "bad.py:3: Account with a literal ledger",
        "bad.py:3: Account with a literal code",
        "bad.py:4: Transfer with a literal code",
        "bad.py:5: Transfer with a literal ledger",
        "bad.py:7: derived_id outside the chart: use a Slot",
        "bad.py:8: an id prefix shifted by hand: use IdPrefix",
        "bad.py:1: ACCOUNT_SHOP is a number, not the chart's",
        "bad.py:2: _CHART_X is a number, not the chart's",
    ]
