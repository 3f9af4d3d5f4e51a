"""The OpenAPI description, finished so that a client generated from it is typed and whole.

FastAPI describes what the routes declare: their parameters, bodies, answers
(`api/answers.py`) and security schemes (`api/deps.py`). This adds what follows from the
API's own conventions, the same for every operation, so no route repeats it:

- the error object (`Error`) for each status an operation may answer with: 400 for every
  one (a malformed request), 429 (the rate limits), 500 (a bug) and 503 (storage
  unavailable for a moment) too, 401 for one that takes a credential, 403 for one whose
  key needs a scope, 409 for one that takes an Idempotency-Key, 413 for one that takes a
  body; FastAPI's own 422 validation answer is not Colony's (it answers 400) and is
  dropped;
- `Idempotency-Key` marked required, as the API requires it on every POST that takes one
  (it is checked in `IdempotencyKey.run`, so that a missing key is answered in Colony's
  error shape, after the caller);
- a description for each tag (a product), from its router module's docstring.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from colony.api.errors import ERROR_STATUSES, Error

IDEMPOTENCY_KEY = "Idempotency-Key"
# Schemes of keys that hold scopes (a wallet token holds none).
_SCOPED_SCHEMES = {"merchant_key", "partner_key", "operator_key"}
_METHODS = {"get", "post", "put", "patch", "delete"}


def describe(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Make `app.openapi()` answer the finished description (built once, then kept)."""
    tags = _tags(routers)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=tags,
            )
            app.openapi_schema = finished(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finished(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in (
        Error.model_json_schema(ref_template="#/components/schemas/{model}")
        .pop("$defs", {})
        .items()
    ):
        schemas.setdefault(name, schema)
    schemas.setdefault(
        "Error", Error.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    schemas["Error"].pop("$defs", None)
    for ops in spec.get("paths", {}).values():
        for method, op in ops.items():
            if method in _METHODS:
                _finish_operation(op)
    if not _mentions(spec["paths"], "HTTPValidationError"):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return spec


def _finish_operation(op: dict[str, Any]) -> None:
    responses = op.setdefault("responses", {})
    if _mentions(responses.get("422", {}), "HTTPValidationError"):
        del responses["422"]
    statuses = [400, 429, 500, 503]
    if "requestBody" in op:
        statuses.append(413)  # the body limits (api/app.py)
    security = op.get("security") or []
    if security:
        statuses.append(401)
        if any(set(requirement) & _SCOPED_SCHEMES for requirement in security):
            statuses.append(403)
    for parameter in op.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"].lower() == "idempotency-key":
            parameter["name"] = IDEMPOTENCY_KEY
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "maxLength": 255}
            statuses.append(409)
    for status in statuses:
        responses.setdefault(str(status), _error_response(status))
    op["responses"] = dict(sorted(responses.items()))


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_STATUSES[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _mentions(tree: object, name: str) -> bool:
    return f"/{name}'" in repr(tree)


def _tags(routers: Iterable[APIRouter]) -> list[dict[str, Any]]:
    """Each router's tag, described by the first paragraph of its module's docstring."""
    tags = []
    for router in routers:
        if not router.tags or not router.routes:
            continue
        endpoint = getattr(router.routes[0], "endpoint", None)
        module = sys.modules[endpoint.__module__] if endpoint is not None else None
        doc = (module.__doc__ or "") if module is not None else ""
        summary = " ".join(doc.strip().split("\n\n")[0].split())
        tags.append({"name": str(router.tags[0]), "description": summary})
    return tags
