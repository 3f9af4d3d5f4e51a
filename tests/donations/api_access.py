"""Who may call donations' routes, for the attack on every route (tests/api/test_access.py)
and the scopes they need (tests/api/test_scopes.py).

A cause is nobody's: any signed-in caller may list and read causes and give to one, so only
callers without a valid credential must be refused there. Registering a cause is the
operator's alone, with the scope `causes:write`."""

from __future__ import annotations

import httpx

from colony.api.context import ApiContext
from tests.api.test_funding_api import post

PUBLIC: set[tuple[str, str]] = set()
SIGNED_IN = {
    ("GET", "/v1/causes"),
    ("GET", "/v1/causes/{cause_id}"),
    ("POST", "/v1/causes/{cause_id}/donations"),
}
# Spelled out, not imported: the scope's name is what operators' keys hold.
OPERATOR_ROUTES = {("POST", "/v1/causes"): "causes:write"}
BODIES: dict[str, object] = {
    "/v1/causes": {"name": "Rogue Cause", "currency": "SGD"},
    "/v1/causes/{cause_id}/donations": {"amount_minor": 100},
}


def victims(client: httpx.Client, ctx: ApiContext, operator: dict[str, str]) -> dict[str, str]:
    """The victim's things the routes name: a cause the operator registered."""
    cause = post(client, "/v1/causes", operator, "victim-cause", {
        "name": "Food Bank", "currency": "SGD",
    })  # fmt: skip
    assert cause.status_code == 201, cause.text
    return {"cause_id": str(cause.json()["id"])}
