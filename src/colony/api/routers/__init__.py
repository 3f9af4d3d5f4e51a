"""The HTTP routes, one module-level router per product; `api/app.py` includes them all.

A router module imports the HTTP kit (`api/deps.py`, `errors.py`, `idempotency.py`,
`auth.py`, `scopes.py`), the views of what it shows (`api/*_views.py`) and the products'
services; never `api/app.py` nor another router (docs/adr/0025).
"""
