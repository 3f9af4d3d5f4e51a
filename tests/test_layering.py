"""Dependencies point inward: checked on the import statements of every module.

- the kernel imports nothing of Colony's outside the kernel;
- the ledger imports only the kernel and itself (no product, no storage backend, no CLI);
- storage backends import the kernel and the ledger's public storage interface;
- only the outer layers (cli, api, web, bench) may choose a backend;
- inside the API, a product's router (`api/routers/`) imports the HTTP kit, the views and the
  products, never the app nor another router; the kit and the views import no router.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "colony"

ALLOWED = {
    "kernel": {"kernel"},
    "ledger": {"kernel", "ledger"},
    # Payments orchestrate: a payment moves a wallet's money to a merchant.
    "payments": {"kernel", "ledger", "wallets", "merchants", "fx", "payments"},
    "merchants": {"kernel", "ledger", "merchants"},
    "wallets": {"kernel", "ledger", "wallets"},
    # Webhooks announce what payments did to merchants' accounts.
    "webhooks": {"kernel", "ledger", "merchants", "payments", "webhooks"},
    # Backends implement each context's store Protocol, so they see those contexts' models.
    "storage": {"kernel", "ledger", "wallets", "merchants", "payments", "webhooks", "storage"},
    # A benchmark of the HTTP API seeds its database through the API's own context.
    "bench": {"kernel", "ledger", "storage", "api", "bench"},
    "api": {"kernel", "ledger", "storage", "payments", "merchants", "wallets", "webhooks", "api"},
    # Many API workers: electing the ledger writer and reaching it from the others.
    "workers": {"kernel", "ledger", "storage", "workers"},
    "cli": {
        "workers",
        "kernel",
        "ledger",
        "storage",
        "bench",
        "payments",
        "wallets",
        "merchants",
        "webhooks",
        "api",
        "cli",
    },
}
# FX moves no money itself: rates and quotes on the kernel alone. Storage implements its
# quote store; the outer layers serve it.
ALLOWED["fx"] = {"kernel", "fx"}
for _layer in ("storage", "api", "cli"):
    ALLOWED[_layer] |= {"fx"}
# Partners are tenants: their records, and the clearing legs a payment across them carries.
# Payments link those legs into their chains; storage implements the partner store.
ALLOWED["partners"] = {"kernel", "ledger", "partners"}
for _layer in ("payments", "storage", "api", "cli"):
    ALLOWED[_layer] |= {"partners"}
# Settlement reads the ledger's clearing legs and the payments and refunds they belong to.
ALLOWED["settlement"] = {"kernel", "ledger", "partners", "payments", "settlement"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"settlement"}


def _colony_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "colony" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SRC).parts[0], path)
        for path in sorted(SRC.rglob("*.py"))
        if len(path.relative_to(SRC).parts) > 1
    ]


@pytest.mark.parametrize(("package", "path"), _modules(), ids=lambda v: str(v))
def test_imports_point_inward(package: str, path: Path) -> None:
    assert package in ALLOWED, f"new package {package!r}: add its rule to ALLOWED"
    outside = _colony_imports(path) - ALLOWED[package]
    assert not outside, f"{path.relative_to(SRC)} imports {sorted(outside)}"


API = SRC / "api"
ROUTERS = API / "routers"


def _api_imports(path: Path) -> set[str]:
    """The modules of `colony.api` a module imports, as `app`, `deps`, `routers.payments`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "colony.api":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("colony.api."):
                found.add(node.module.removeprefix("colony.api."))
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("colony.api.")
                for a in node.names
                if a.name.startswith("colony.api.")
            }
    return found


def _is_router(name: str) -> bool:
    return name == "routers" or name.startswith("routers.")


@pytest.mark.parametrize("path", sorted(ROUTERS.glob("*.py")), ids=lambda p: p.name)
def test_a_router_imports_no_other_router_nor_the_app(path: Path) -> None:
    imported = _api_imports(path)
    assert "app" not in imported, f"{path.name} imports api/app.py"
    others = {name for name in imported if _is_router(name)}
    assert not others, f"{path.name} imports the routers {sorted(others)}"


@pytest.mark.parametrize(
    "path", sorted(p for p in API.glob("*.py") if p.name != "app.py"), ids=lambda p: p.name
)
def test_the_http_kit_imports_no_router(path: Path) -> None:
    imported = _api_imports(path)
    assert "app" not in imported and not any(_is_router(n) for n in imported), (
        f"{path.name} imports {sorted(imported)}"
    )


def test_the_app_includes_every_router() -> None:
    from colony.api.app import ROUTERS as included

    for path in sorted(ROUTERS.glob("*.py")):
        if path.stem != "__init__":
            module = importlib.import_module(f"colony.api.routers.{path.stem}")
            assert any(r is module.router for r in included), f"app.py leaves out {path.stem}"


def test_the_rules_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from colony.storage.open import open_ledger\n")
    assert _colony_imports(bad) - ALLOWED["ledger"] == {"storage"}
    bad.write_text("from colony.api.routers import payments\nfrom colony.api import app\n")
    assert _api_imports(bad) == {"routers", "app"}
