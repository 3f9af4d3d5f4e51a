"""The OpenAPI description is one a client can be generated from: short operation ids, a
tag per product, a typed answer for every operation, the error object for each status it
may answer with, a bearer scheme per kind of caller, and Idempotency-Key required on every
POST."""

from __future__ import annotations

import re
import sys

import httpx
import pytest
from fastapi import APIRouter

from colony.api.app import ROUTERS
from colony.api.context import ApiContext

# The operations anyone may call, without a credential.
PUBLIC = {"open_wallet", "decode_qr_code", "start_phone_verification"}


def _tag_of(router: APIRouter) -> str:
    """The tag a router's routes carry: its product, or the `<name>` of `<name>_router.py`."""
    module = sys.modules[router.routes[0].endpoint.__module__]  # type: ignore[attr-defined]
    _, product, name = module.__name__.split(".")
    return product if name == "router" else name.removesuffix("_router")


# Each router of the app is a product's tag, named after where the router lives.
PRODUCTS = {_tag_of(router) for router in ROUTERS if router.include_in_schema}
SCHEMES = {"wallet_token", "merchant_key", "partner_key", "operator_key"}
ERROR_REF = "#/components/schemas/Error"
# Every operation may be refused as malformed (400) or rate-limited (429), and may fail
# (500, 503).
ALWAYS = {"400", "429", "500", "503"}
_OPERATION_ID = re.compile(r"[a-z]+(_[a-z0-9]+)*")
operation_id_chars_max = 32

Spec = dict[str, object]


@pytest.fixture
def spec(served: tuple[httpx.Client, ApiContext]) -> Spec:
    client, _ = served
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(spec: Spec) -> list[tuple[str, str, dict[str, object]]]:
    paths = spec["paths"]
    assert isinstance(paths, dict)
    return [(method, path, op) for path, ops in paths.items() for method, op in ops.items()]


def test_every_operation_has_a_short_unique_id_and_its_product_tag(spec: Spec) -> None:
    ids = [str(op["operationId"]) for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids)) >= 51
    for operation_id in ids:
        assert _OPERATION_ID.fullmatch(operation_id), operation_id
        assert len(operation_id) <= operation_id_chars_max and "v1" not in operation_id
    assert len(PRODUCTS) == len(ROUTERS) - 1  # every router but the page's is a product's
    for _, path, op in operations(spec):
        assert op["tags"] in ([tag] for tag in PRODUCTS), path
    assert {tag["name"] for tag in spec["tags"]} == PRODUCTS  # type: ignore[attr-defined]
    assert "create_payment" in ids and "create_refund" in ids and "list_payments" in ids


def test_every_answer_has_a_schema_and_every_error_the_error_object(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]  # type: ignore[index]
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetail"]["required"]) == {"type", "code", "message"}
    assert "HTTPValidationError" not in schemas  # FastAPI's 422: Colony answers 400
    for method, path, op in operations(spec):
        responses: dict[str, dict[str, object]] = op["responses"]  # type: ignore[assignment]
        successes = [code for code in responses if code.startswith("2")]
        assert successes, (method, path)
        for code in successes:
            content = responses[code]["content"]
            assert isinstance(content, dict) and content, (method, path)
            if "application/json" in content:
                ref = content["application/json"]["schema"]["$ref"]
                assert ref.removeprefix("#/components/schemas/") in schemas, (method, path)
        assert set(responses) >= ALWAYS, (method, path)
        for code, response in responses.items():
            if code[0] in "45":
                schema = response["content"]["application/json"]["schema"]  # type: ignore[index]
                assert schema == {"$ref": ERROR_REF}, (method, path, code)


def test_every_operation_names_its_callers_as_bearer_schemes(spec: Spec) -> None:
    declared = spec["components"]["securitySchemes"]  # type: ignore[index]
    assert set(declared) == SCHEMES
    assert all(s["type"] == "http" and s["scheme"] == "bearer" for s in declared.values())
    for method, path, op in operations(spec):
        headers = [p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"]
        assert "authorization" not in headers, (method, path)
        responses = op["responses"]
        assert isinstance(responses, dict)
        if op["operationId"] in PUBLIC:
            assert "security" not in op and "401" not in responses
            continue
        security = op["security"]
        assert isinstance(security, list) and security, (method, path)
        assert all(len(r) == 1 and set(r) <= SCHEMES for r in security), (method, path)
        assert "401" in responses, (method, path)
        if any(set(r) - {"wallet_token"} for r in security):
            assert "403" in responses, (method, path)  # keys hold scopes


def test_idempotency_key_is_required_on_every_post(spec: Spec) -> None:
    posts = [(path, op) for method, path, op in operations(spec) if method == "post"]
    assert len(posts) >= 25
    for path, op in posts:
        (key,) = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]  # type: ignore[attr-defined]
        assert key["in"] == "header" and key["required"] is True, path
        assert key["schema"]["maxLength"] == 255, path
        assert {"409", "503"} <= set(op["responses"]), path  # type: ignore[arg-type]
    gets = [op for method, _, op in operations(spec) if method == "get"]
    assert not any(p["name"] == "Idempotency-Key" for op in gets for p in op.get("parameters", []))


def test_the_statement_upload_is_a_binary_body(spec: Spec) -> None:
    op = spec["paths"]["/v1/settlements/{window}/reconciliations"]["post"]  # type: ignore[index]
    (media,) = op["requestBody"]["content"].items()
    assert media[0] == "application/octet-stream"
    assert media[1]["schema"]["format"] == "binary"
