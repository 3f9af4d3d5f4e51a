"""Who may call phones' routes, for the attack on every route (tests/api/test_access.py) and
the scopes they need (tests/api/test_scopes.py).

Starting a verification acts on nothing anyone owns (a code goes to the number, never to the
caller), so anyone may; the outbox holds every code, so only an operator key with `sms:read`
reads it."""

from __future__ import annotations

PUBLIC = {("POST", "/v1/phone_verifications")}
# Spelled out, not imported: the scope's name is what operators' keys hold.
OPERATOR_ROUTES = {("GET", "/v1/sms_outbox"): "sms:read"}
BODIES: dict[str, object] = {
    "/v1/phone_verifications": {"phone": "+6590000009", "purpose": "open_wallet"},
}
