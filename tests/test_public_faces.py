"""Each product shows the rest of Colony one public face: the names its `__init__.py` lists in
`__all__`. Code outside a product imports those names from the package, never from its
modules, so a product can rearrange its inside without reading, or breaking, anyone else."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "colony"
# The packages that are no product: the kernel, the chart, the ledger, the storage engine and
# the outer layers. Every other package is one, so a new product is checked without a line here.
NOT_PRODUCTS = frozenset(
    {"kernel", "chart", "ledger", "storage", "api", "cli", "bench", "workers", "web"}
)
PRODUCTS = tuple(
    sorted(
        path.parent.name
        for path in SRC.glob("*/__init__.py")
        if path.parent.name not in NOT_PRODUCTS
    )
)


def test_the_products_are_every_package_but_the_layers() -> None:
    packages = {path.parent.name for path in SRC.glob("*/__init__.py")}
    assert NOT_PRODUCTS - packages == set(), "a package named in NOT_PRODUCTS is gone"
    assert {"wallets", "payments"} <= set(PRODUCTS), "the products were not found"


@pytest.mark.parametrize("product", PRODUCTS)
def test_each_product_declares_its_face(product: str) -> None:
    package = importlib.import_module(f"colony.{product}")
    face = getattr(package, "__all__", None)
    assert isinstance(face, list) and face, f"colony.{product} declares no __all__"
    assert len(face) == len(set(face)), f"colony.{product}.__all__ names one twice"
    assert [n for n in face if n.startswith("_") or not hasattr(package, n)] == []


@pytest.mark.parametrize("product", PRODUCTS)
def test_a_face_shows_the_products_own_classes_and_functions(product: str) -> None:
    package = importlib.import_module(f"colony.{product}")
    foreign = [
        f"{name} (from {member.__module__})"
        for name in package.__all__
        if (inspect.isclass(member := getattr(package, name)) or inspect.isfunction(member))
        and not member.__module__.startswith(f"colony.{product}.")
    ]
    assert foreign == [], f"colony.{product} re-exports what it does not own"


def _reaches_past_faces(source: str, own: str | None) -> list[str]:
    """Imports of a product's modules (not its face) by code outside that product."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            reaching = len(parts) > 2 and parts[1] in PRODUCTS and parts[1] != own
            if parts[0] == "colony" and reaching:
                found.append(f"{node.lineno}: {name}")
    return found


def _owner(path: Path) -> str | None:
    parts = path.relative_to(SRC).parts
    return parts[0] if len(parts) > 1 else None


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_code_outside_a_product_imports_only_its_face(path: Path) -> None:
    reaching = _reaches_past_faces(path.read_text(), _owner(path))
    assert reaching == [], f"{path.relative_to(SRC)} imports past a face: {reaching}"


def test_the_face_check_can_fail() -> None:
    source = "from colony.wallets.service import WalletService\nimport colony.fx.quotes\n"
    assert _reaches_past_faces(source, "payments") == [
        "1: colony.wallets.service",
        "2: colony.fx.quotes",
    ]
    assert _reaches_past_faces(source, "wallets") == ["2: colony.fx.quotes"]
    assert _reaches_past_faces("from colony.wallets import WalletService\n", "payments") == []
