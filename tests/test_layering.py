"""Dependencies point inward: checked on the import statements of every module.

- the kernel imports nothing of Colony's outside the kernel;
- the ledger imports only the kernel and itself (no product, no storage backend, no CLI);
- the chart of accounts imports only the kernel; every product may import it;
- storage backends import the kernel and the ledger's public storage interface;
- the storage engine imports no product: each product keeps its own store and migrations in
  its own package;
- a product's store uses the engine through its small face (`STORAGE_FACE`): the `Tables`
  session protocol, `open_tables`, group commit, the record cache and marked ids;
- only the outer layers (cli, api, web, bench) may choose a backend;
- a product's HTTP routes are its router modules (`<product>/router.py`, and
  `<product>/<name>_router.py` when it has more than one): they sit above every product, so
  they may import the HTTP kit (`colony.api`'s modules but the app), the views and any
  product's face, never the app nor another router; nothing but the app (`api/app.py`)
  imports a router, and the kit, the views and the products' other modules import none.
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
    # The engine: connections, journals, the migration runner; it knows no product.
    "storage": {"kernel", "ledger", "storage"},
    # A benchmark of the HTTP API seeds its database through the API's own context.
    # The store-statement benchmark times a wallet store.
    # The screens benchmark sets the PINs of the people it signs in, adds the busiest
    # merchant's owner and pays that merchant a busy today. The API's benchmark starts its
    # load once every worker that serves HTTP listens.
    "bench": {
        "kernel",
        "ledger",
        "storage",
        "api",
        "wallets",
        "credentials",
        "staff",
        "merchants",
        "payments",
        "workers",
        "bench",
    },
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
# FX moves no money itself: rates and quotes on the kernel alone; the outer layers serve it.
ALLOWED["fx"] = {"kernel", "fx"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"fx"}
# Partners are tenants: their records, and the clearing legs a payment across them carries.
# Payments link those legs into their chains.
ALLOWED["partners"] = {"kernel", "ledger", "partners"}
for _layer in ("payments", "api", "cli"):
    ALLOWED[_layer] |= {"partners"}
# Donations (the worked example of docs/adding-a-product.md): causes, and a wallet's money
# given to them with the wallet's own limit legs.
ALLOWED["donations"] = {"kernel", "ledger", "wallets", "donations"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"donations"}
# Phones: proving a number with a one-time code, and the SMS outbox; the wallets' router
# asks it before a wallet is opened.
ALLOWED["phones"] = {"kernel", "phones"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"phones"}
# The market simulator builds a market through the products' services (their faces) and the
# ledger; the CLI wires it on a database.
ALLOWED["simulator"] = {"kernel", "ledger", "wallets", "merchants", "payments", "fx", "simulator"}
# ... and replays it as the events risk control scores, labelled with its fraud (ADR 0059).
ALLOWED["simulator"] |= {"risk"}
ALLOWED["cli"] |= {"simulator"}
# Each product keeps its store (sql_store.py) over the storage engine's face, below.
PRODUCTS_WITH_STORES = (
    "wallets", "merchants", "payments", "webhooks", "fx", "partners", "donations", "phones"
)  # fmt: skip
for _product in PRODUCTS_WITH_STORES:
    ALLOWED[_product] |= {"storage"}
# The modules of the storage engine a product may import: its session protocol, opening a
# connection from a URL, group commit, the record cache, the key that seals secrets at rest,
# ids an operator marks (a wallet's freeze, a merchant's suspension).
# Journals, migrations, backup and the backends' own connections stay the engine's and the
# outer layers'.
STORAGE_FACE = {"tables", "open", "group_commit", "record_cache", "secrets_key", "marked_ids"}
# Settlement reads the ledger's clearing legs and the payments and refunds they belong to.
ALLOWED["settlement"] = {"kernel", "ledger", "partners", "payments", "settlement"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"settlement"}
# Credentials: PINs and passwords under argon2id, with tries counted.
ALLOWED["credentials"] = {"kernel", "storage", "credentials"}
# The web shell (docs/adr/0038): layout, languages, sessions, CSRF, security headers. Its
# page modules (`web/*_pages.py`), like every product's (`<product>/pages.py`), sit with the
# routers; the app includes them and installs the shell's answers.
ALLOWED["web"] = {"kernel", "storage", "credentials", "wallets", "web"}
# The merchant portal's way in is the shell's too (`web/merchant_access.py`): its users.
ALLOWED["web"] |= {"merchants"}
# Both ways in by a one-time code (`web/signin_kit.py`) word the phones' proof results.
ALLOWED["web"] |= {"phones"}
for _layer in ("api", "cli"):
    ALLOWED[_layer] |= {"web", "credentials"}
# Staff: the console's people, their roles, their sign-in (a password kept by credentials,
# then a TOTP code) and the append-only audit log. The shell's console access reads them.
ALLOWED["staff"] = {"kernel", "storage", "credentials", "staff"}
for _layer in ("api", "cli", "web"):
    ALLOWED[_layer] |= {"staff"}
PRODUCTS_WITH_STORES = (*PRODUCTS_WITH_STORES, "credentials", "staff")
# Risk control (docs/adr/0055): features, rules and the assessment on the kernel alone;
# payments ask it before the ledger sees a payment, the outer layers wire and serve it.
ALLOWED["risk"] = {"kernel", "storage", "risk"}
for _layer in ("wallets", "payments", "api", "cli", "bench"):
    ALLOWED[_layer] |= {"risk"}
PRODUCTS_WITH_STORES = (*PRODUCTS_WITH_STORES, "risk")
# Credit (docs/adr/0045): repayment schedules on the kernel's money alone, for now.
ALLOWED["credit"] = {"kernel", "credit"}
for _layer in ("api", "cli", "web"):
    ALLOWED[_layer] |= {"credit"}
# Credit scores (docs/adr/0046): a wallet's or a merchant's history read from the ledger, and
# the consents, scores and loan outcomes kept in the product's own tables.
ALLOWED["credit"] |= {"ledger", "wallets", "merchants", "storage"}
PRODUCTS_WITH_STORES = (*PRODUCTS_WITH_STORES, "credit")
# The credit line pays merchants through the payment path (docs/adr/0052): it gives payments
# its side of a purchase (`payments.CreditLineSource`).
ALLOWED["credit"] |= {"payments"}
# `colony bench credit` times credit decisions on a simulated market.
ALLOWED["bench"] |= {"credit"}
# Cash loans (docs/adr/0051): lenders, loans decided from a credit score and their daily run;
# a loan is paid into a wallet and repaid from it with the wallet's limit legs.
ALLOWED["loans"] = {"kernel", "ledger", "wallets", "credit", "storage", "loans"}
# Loans to merchants are paid into a merchant's account and repaid from its day's takings.
ALLOWED["loans"] |= {"merchants"}
for _layer in ("api", "cli", "web", "bench"):
    ALLOWED[_layer] |= {"loans"}
PRODUCTS_WITH_STORES = (*PRODUCTS_WITH_STORES, "loans")
# Complaints and disputes (docs/adr/0053): cases about payments and merchants, webhooks to
# tell merchants of them, and outcomes moving wallets' and merchants' money in the ledger.
ALLOWED["disputes"] = {
    "kernel", "ledger", "wallets", "merchants", "payments", "webhooks", "storage", "disputes"
}  # fmt: skip
for _layer in ("api", "cli", "web"):
    ALLOWED[_layer] |= {"disputes"}
PRODUCTS_WITH_STORES = (*PRODUCTS_WITH_STORES, "disputes")
# The simulated market's people complain through the app's complaint service (ADR 0065).
ALLOWED["simulator"] |= {"disputes"}
# The chart of accounts declares every ledger code and id scheme on the kernel alone; every
# product and outer layer takes its codes from it, and the ledger stays free of it.
ALLOWED["chart"] = {"kernel", "chart"}
for _layer in set(ALLOWED) - {"kernel", "ledger", "chart"}:
    ALLOWED[_layer] |= {"chart"}


def _colony_modules(path: Path) -> set[tuple[str, ...]]:
    """Every `colony.x.y` a module imports as ("x", "y"), `from colony.x import y` too."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module.count(".") == 1:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "colony" and len(parts) > 1:
                found.add(tuple(parts[1:]))
    return found


def _colony_imports(path: Path) -> set[str]:
    return {parts[0] for parts in _colony_modules(path)}


def _modules() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SRC).parts[0], path)
        for path in sorted(SRC.rglob("*.py"))
        if len(path.relative_to(SRC).parts) > 1
    ]


def _is_router_module(path: Path) -> bool:
    """A product's router module: `router.py` or `<name>_router.py` in its package; its
    screens, `pages.py` or `<name>_pages.py`, are routers too."""
    return path.parent.parent == SRC and (
        path.stem in ("router", "pages") or path.stem.endswith(("_router", "_pages"))
    )


# What a router module may import: it serves one product's routes with the HTTP kit, and may
# show what other products hold (a partner's payments, a merchant's wallet-facing QR code).
ROUTER_MAY_IMPORT = (set(ALLOWED["api"]) | set(ALLOWED)) - {"cli", "bench", "workers"}


@pytest.mark.parametrize(("package", "path"), _modules(), ids=lambda v: str(v))
def test_imports_point_inward(package: str, path: Path) -> None:
    assert package in ALLOWED, f"new package {package!r}: add its rule to ALLOWED"
    allowed = ROUTER_MAY_IMPORT if _is_router_module(path) else ALLOWED[package]
    outside = _colony_imports(path) - allowed
    assert not outside, f"{path.relative_to(SRC)} imports {sorted(outside)}"


@pytest.mark.parametrize(
    ("package", "path"),
    [(package, path) for package, path in _modules() if package in PRODUCTS_WITH_STORES],
    ids=lambda v: str(v),
)
def test_products_use_only_the_storage_engines_face(package: str, path: Path) -> None:
    engine = {(*parts, "")[1] for parts in _colony_modules(path) if parts[0] == "storage"}
    outside = engine - STORAGE_FACE
    assert not outside, f"{path.relative_to(SRC)} imports storage's {sorted(outside)}"


API = SRC / "api"
# The app's own page (`/`): a router, but the API's, not a product's.
PAGE = API / "page.py"
ROUTER_MODULES = sorted([p for p in SRC.glob("*/*.py") if _is_router_module(p)] + [PAGE])


def _router_imports(path: Path) -> set[str]:
    """The router modules a module imports, as `payments.router`, `api.page`."""
    names = {".".join(parts) for parts in _colony_modules(path)}
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):  # `from colony.payments.router import router` too
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.removeprefix("colony."))
    routers = {".".join(p.relative_to(SRC).with_suffix("").parts) for p in ROUTER_MODULES}
    return names & routers


@pytest.mark.parametrize("path", ROUTER_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_a_router_imports_no_other_router_nor_the_app(path: Path) -> None:
    imported = {".".join(parts) for parts in _colony_modules(path)}
    assert "api.app" not in imported, f"{path.relative_to(SRC)} imports api/app.py"
    others = _router_imports(path)
    assert not others, f"{path.relative_to(SRC)} imports the routers {sorted(others)}"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SRC.rglob("*.py") if p not in ROUTER_MODULES and p != API / "app.py"),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_only_the_app_imports_a_router(path: Path) -> None:
    imported = {".".join(parts) for parts in _colony_modules(path)}
    assert "api.app" not in imported or path.parent.name == "cli", (
        f"{path.relative_to(SRC)} imports api/app.py"
    )
    routers = _router_imports(path)
    assert not routers, f"{path.relative_to(SRC)} imports the routers {sorted(routers)}"


def test_the_app_includes_every_router() -> None:
    from colony.api.app import PAGES, ROUTERS

    included = (*ROUTERS, *PAGES)

    for path in ROUTER_MODULES:
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        module = importlib.import_module(f"colony.{name}")
        assert any(r is module.router for r in included), f"app.py leaves out {name}"


def test_the_rules_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from colony.storage.open import open_ledger\n")
    assert _colony_imports(bad) - ALLOWED["ledger"] == {"storage"}
    bad.write_text("from colony.storage import sqlite_journal\nimport colony.wallets.sql_store\n")
    assert _colony_imports(bad) - ALLOWED["storage"] == {"wallets"}
    assert {p[1] for p in _colony_modules(bad) if p[0] == "storage"} - STORAGE_FACE == {
        "sqlite_journal"
    }
    bad.write_text(
        "from colony.payments import router\nfrom colony.wallets.funding_router import router\n"
        "import colony.api.page\n"
    )
    assert _router_imports(bad) == {"payments.router", "wallets.funding_router", "api.page"}
    assert _is_router_module(SRC / "wallets" / "funding_router.py")
    assert not _is_router_module(SRC / "api" / "deps.py")
