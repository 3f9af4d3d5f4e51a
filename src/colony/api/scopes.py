"""What an API key may do: every scope a merchant, partner or operator key can hold, and what
it allows.

A key holds a set of scopes. A standard key (the one made when a merchant is onboarded, or by
`colony keys create-operator` without `--scope`) holds every scope of its kind, including
scopes added in later versions; a restricted key holds only those it was made with. A
`...:write` scope also allows what the `...:read` scope of the same name allows.

The scopes below are the first products'; a product added since declares its own with its
router (`product_router(tag, operator_scopes={...})`), and they join its kind's table here
when the router is imported, which the app does before it serves.

Wallet tokens have no scopes: a token is its wallet's owner and may do everything the API lets
a wallet do, to that wallet only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PAYMENTS_READ = "payments:read"
PAYMENTS_WRITE = "payments:write"
REFUNDS_WRITE = "refunds:write"
WEBHOOKS_READ = "webhooks:read"
WEBHOOKS_WRITE = "webhooks:write"
KEYS_READ = "keys:read"
KEYS_WRITE = "keys:write"

MERCHANTS_WRITE = "merchants:write"
FUNDING_READ = "funding:read"
FUNDING_WRITE = "funding:write"
LEDGER_WRITE = "ledger:write"
PARTNERS_READ = "partners:read"
PARTNERS_WRITE = "partners:write"

WALLETS_READ = "wallets:read"
WALLETS_WRITE = "wallets:write"
MERCHANTS_READ = "merchants:read"
TREASURY_READ = "treasury:read"
SETTLEMENTS_READ = "settlements:read"

MERCHANT_SCOPES: dict[str, str] = {
    PAYMENTS_READ: "read the payments the merchant received; its QR codes (payload, PNG, SVG)",
    PAYMENTS_WRITE: "charge a customer's payment code at the till; capture and void holds",
    REFUNDS_WRITE: "refund a payment",
    WEBHOOKS_READ: "read the webhook endpoint and the delivery log",
    WEBHOOKS_WRITE: "set the webhook endpoint (and rotate its secret)",
    KEYS_READ: "list the merchant's API keys (never their secrets)",
    KEYS_WRITE: "make restricted API keys (with scopes this key holds) and revoke keys",
}
OPERATOR_SCOPES: dict[str, str] = {
    MERCHANTS_WRITE: "onboard merchants (which makes their standard keys)",
    FUNDING_READ: "list every funding partner",
    FUNDING_WRITE: "register funding partners; confirm, decline or fail top-ups and withdrawals",
    LEDGER_WRITE: "create ledger accounts and transfers in batches",
    PARTNERS_READ: "list every partner",
    PARTNERS_WRITE: "create partners and make their API keys",
    TREASURY_READ: "read the treasury positions and FX revenue per currency",
    SETTLEMENTS_READ: "read every partner's settlement reports; reconcile any partner's statement",
}
# A partner's key acts on its own users and merchants only (every other partner's are 404).
PARTNER_SCOPES: dict[str, str] = {
    WALLETS_READ: "list and read the partner's wallets",
    WALLETS_WRITE: "open wallets for the partner's users (which makes their tokens)",
    MERCHANTS_READ: "list and read the partner's merchants",
    MERCHANTS_WRITE: "onboard merchants for the partner (which makes their standard keys)",
    PAYMENTS_READ: "list and read payments its wallets made or its merchants received",
    SETTLEMENTS_READ: "read the partner's own settlement lines; reconcile its statement file",
}
SCOPES_BY_KIND: dict[str, dict[str, str]] = {
    "merchant": MERCHANT_SCOPES,
    "operator": OPERATOR_SCOPES,
    "partner": PARTNER_SCOPES,
}


def held(kind: str, scopes: tuple[str, ...] | None) -> tuple[str, ...]:
    """The scopes a key of this kind holds: every one of its kind for a standard key (None)."""
    return tuple(SCOPES_BY_KIND[kind]) if scopes is None else scopes


def allows(scopes: Iterable[str], needed: str) -> bool:
    """Whether holding `scopes` allows what `needed` allows (a write scope implies its read)."""
    have = set(scopes)
    return needed in have or (
        needed.endswith(":read") and needed.removesuffix(":read") + ":write" in have
    )


def declare(kind: str, declared: Mapping[str, str]) -> None:
    """Add a product's own scopes (name: what it allows) to those of its kind of key."""
    table = SCOPES_BY_KIND[kind]
    for name, allows_what in declared.items():
        assert table.get(name, allows_what) == allows_what, f"{kind} scope {name} declared twice"
        table[name] = allows_what
