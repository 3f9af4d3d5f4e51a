"""The ledger in bulk over HTTP (operator only): batches of accounts or transfers.

A batch is TigerBeetle's: up to `batch_events_max` events in TigerBeetle's shape (the JSON
of `colony ledger import`, without "type"), ids chosen by the caller, u128 values as integers
or strings of decimal digits. The answer holds one result per event, by index, as the
ledger's `create_accounts` / `create_transfers` give them: a refused event is a result, not
an HTTP error. A malformed event refuses the whole request with 400 naming its index and
field, and nothing is applied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from colony.api import scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, operator
from colony.api.errors import ApiError
from colony.ledger import Account, Transfer, batch_events_max
from colony.ledger.jsonl import FieldError, RepeatedField, loads, parse_account, parse_transfer

E = TypeVar("E", Account, Transfer)

# Events one request may carry: the ledger's own batch, so one request is one journal entry.
events_per_request_max = batch_events_max

router = product_router("ledger", dependencies=[operator(scopes.LEDGER_WRITE)])


class EventResult(BaseModel):
    """One event's result, by its index in the batch (`ok`, or why it was refused)."""

    index: int
    result: str


class BatchResults(BaseModel):
    """One result per event of the batch, in order."""

    object: Literal["list"]
    data: list[EventResult]


def _u128(description: str) -> dict[str, object]:
    return {
        "description": description,
        "anyOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "pattern": "^[0-9]{1,39}$"},
        ],
    }


def _body_schema(field: str, required: list[str], names: list[str]) -> dict[str, object]:
    properties: dict[str, object] = {name: _u128(name) for name in names}
    properties["flags"] = {"type": "array", "items": {"type": "string"}}
    event = {"type": "object", "required": required, "properties": properties}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": [field],
                        "properties": {
                            field: {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": events_per_request_max,
                                "items": event,
                            }
                        },
                    }
                }
            },
        }
    }


_ACCOUNT_SCHEMA = _body_schema(
    "accounts",
    ["id", "ledger", "code"],
    ["id", "user_data_128", "user_data_64", "user_data_32", "ledger", "code", "timestamp"],
)
_TRANSFER_SCHEMA = _body_schema(
    "transfers",
    ["id"],
    [
        "id",
        "debit_account_id",
        "credit_account_id",
        "amount",
        "pending_id",
        "user_data_128",
        "user_data_64",
        "user_data_32",
        "timeout",
        "ledger",
        "code",
        "timestamp",
    ],
)


def _events(raw: bytes, field: str) -> list[Any]:
    """The request's list of events, before any of them is parsed."""
    try:
        body = loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "parameter_invalid", f"the body is not valid JSON: {exc}") from None
    except RepeatedField as exc:  # which event it is in is not known yet
        raise ApiError(400, "parameter_invalid", f"an object in the body: {exc}") from None
    if not isinstance(body, dict) or set(body) != {field}:
        raise ApiError(
            400,
            "parameter_invalid",
            f'the body is an object with one field, "{field}"',
            param=field,
        )
    events = body[field]
    if not isinstance(events, list) or not events:
        raise ApiError(
            400, "parameter_invalid", f'"{field}" is a list of at least one event', param=field
        )
    if len(events) > events_per_request_max:
        raise ApiError(
            400,
            "batch_too_large",
            f"a request carries at most {events_per_request_max:,} {field}, not {len(events):,}",
            param=field,
        )
    return events


def _parse(events: list[Any], field: str, parse: Callable[[object, str], E]) -> list[E]:
    parsed = []
    for index, event in enumerate(events):
        try:
            parsed.append(parse(event, f"{field}[{index}]"))
        except FieldError as exc:
            param = f"{field}[{index}]" + (f".{exc.field}" if exc.field else "")
            raise ApiError(400, "parameter_invalid", str(exc), param=param) from None
    return parsed


def _results(results: Sequence[IntEnum]) -> dict[str, object]:
    return {
        "object": "list",
        "data": [{"index": i, "result": r.name} for i, r in enumerate(results)],
    }


async def batch(
    request: Request,
    key: Idempotent,
    field: str,
    apply: Callable[[bytes], tuple[int, dict[str, object]]],
) -> JSONResponse:
    raw = await request.body()
    # The key is matched against the bytes sent: a retry sends the same bytes.
    request_hash = {field: hashlib.sha256(raw).hexdigest()}
    # Parsing thousands of events and the ledger's write must not hold the event loop.
    return await run_in_threadpool(key.run, "operator", request_hash, lambda: apply(raw))


def create_accounts(ctx: ApiContext, raw: bytes) -> tuple[int, dict[str, object]]:
    accounts: list[Account] = _parse(_events(raw, "accounts"), "accounts", parse_account)
    return 200, _results(ctx.ledger.create_accounts(accounts))


def create_transfers(ctx: ApiContext, raw: bytes) -> tuple[int, dict[str, object]]:
    transfers: list[Transfer] = _parse(_events(raw, "transfers"), "transfers", parse_transfer)
    return 200, _results(ctx.ledger.create_transfers(transfers))


@router.post(
    "/v1/ledger/accounts/batch", openapi_extra=_ACCOUNT_SCHEMA, responses=answers(200, BatchResults)
)
async def create_ledger_accounts(request: Request, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Create up to 8,190 ledger accounts in one batch (operator only): a result each."""
    return await batch(request, key, "accounts", lambda raw: create_accounts(ctx, raw))


@router.post(
    "/v1/ledger/transfers/batch",
    openapi_extra=_TRANSFER_SCHEMA,
    responses=answers(200, BatchResults),
)
async def create_ledger_transfers(request: Request, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Create up to 8,190 ledger transfers in one batch (operator only): a result each."""
    return await batch(request, key, "transfers", lambda raw: create_transfers(ctx, raw))
