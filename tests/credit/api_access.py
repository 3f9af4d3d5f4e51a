"""Who may call credit scores' and the credit line's routes, for the attack on every route
(tests/api/test_access.py) and the scopes they need (tests/api/test_scopes.py).

A wallet's consent and scores are its own ("me" routes: a stranger is refused 401); a
merchant's score is the operator's to ask for and read, with `credit:score` and
`credit:read`. The victim's merchant is the one the access test makes."""

from __future__ import annotations

# A wallet's own: its token holds no scopes (tests/api/test_scopes.py).
WALLET_ROUTES = {
    ("GET", "/v1/credit/consent"),
    ("POST", "/v1/credit/consent"),
    ("POST", "/v1/credit/consent/withdraw"),
    ("POST", "/v1/credit/score"),
    ("GET", "/v1/credit/scores"),
    ("GET", "/v1/wallets/me/credit_line"),
    ("POST", "/v1/wallets/me/credit_line"),
    ("POST", "/v1/wallets/me/credit_line/repayments"),
    ("POST", "/v1/wallets/me/credit_line/plans"),
}
# Spelled out, not imported: the scope's name is what operators' keys hold.
OPERATOR_ROUTES = {
    ("POST", "/v1/credit/merchants/{merchant_id}/score"): "credit:score",
    ("GET", "/v1/credit/merchants/{merchant_id}/scores"): "credit:read",
    ("POST", "/v1/credit_lines/runs"): "credit_lines:run",
}
BODIES: dict[str, object] = {
    "/v1/credit/consent": {},
    "/v1/credit/consent/withdraw": {},
    "/v1/credit/score": {},
    "/v1/credit/merchants/{merchant_id}/score": {},
    "/v1/wallets/me/credit_line": {"due_day": 9},
    "/v1/wallets/me/credit_line/repayments": {"amount_minor": 100},
    "/v1/wallets/me/credit_line/plans": {"amount_minor": 100, "instalments": 3},
    "/v1/credit_lines/runs": {"day": "2026-12-04"},
}
