"""A query or form a page cannot read is answered with a page that names the field; the
API's routes keep their JSON, including a payment a follower forwarded to the writer, which
is answered with a scope of no path (api/forwarded_payments.py)."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from colony.api import errors
from colony.kernel.errors import UnstorableInput
from colony.web import shell

INVALID = RequestValidationError(
    [{"loc": ("query", "at"), "msg": "Input should be a valid integer", "type": "int_parsing"}]
)


def _answer(scope: dict[str, object], exc: Exception) -> tuple[int, str, bytes]:
    app = FastAPI()
    errors.install(app)
    shell.install(app)
    handler = app.exception_handlers[type(exc)]
    response = asyncio.run(handler(Request(scope), exc))  # type: ignore[arg-type]
    return response.status_code, response.headers["content-type"], bytes(response.body)


@pytest.mark.parametrize("exc", [INVALID, UnstorableInput("numeric field out of range")])
def test_the_api_and_a_forwarded_payment_are_answered_json(exc: Exception) -> None:
    for scope in ({"type": "http", "headers": []},  # forwarded: no path
                  {"type": "http", "headers": [], "path": "/v1/payments"}):  # fmt: skip
        status, kind, body = _answer(scope, exc)
        assert (status, kind) == (400, "application/json")
        assert json.loads(body)["error"]["code"] == "parameter_invalid"


@pytest.mark.parametrize("path", ["/console/merchants", "/merchant/payments", "/app/topup"])
def test_a_page_is_answered_with_a_page_naming_the_field(path: str) -> None:
    status, kind, body = _answer({"type": "http", "headers": [], "path": path}, INVALID)
    assert (status, kind) == (400, "text/html; charset=utf-8")
    assert b"at: Input should be a valid integer" in body
    assert b'name="viewport"' in body  # it fits a phone
