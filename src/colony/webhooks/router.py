"""A merchant's webhook endpoint and its delivery log over HTTP.

One endpoint per merchant. Its secret is shown once, when the endpoint is set; setting it
again rotates the secret. Events start from the moment the endpoint is set.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, merchant
from colony.api.errors import ApiError
from colony.api.input_limits import RequestBody
from colony.api.webhook_views import set_endpoint
from colony.kernel.clock import NS_PER_S
from colony.merchants import Merchant
from colony.webhooks import Attempt, Event, TargetRefused

# Events per page of the delivery log: the default and the most a caller may ask for.
events_page_default = 10
events_page_max = 100

router = product_router("webhooks")

WebhooksReader = Annotated[Merchant, merchant(scopes.WEBHOOKS_READ)]
WebhooksWriter = Annotated[Merchant, merchant(scopes.WEBHOOKS_WRITE)]


class WebhookEndpointObject(BaseModel):
    """Where a merchant's events go; its secret only in the answer that set it."""

    object: Literal["webhook_endpoint"]
    url: str
    secret: str | None = Field(default=None, description="only when set; never replayed")
    created: int


class DeliveryObject(BaseModel):
    """One attempt to deliver an event."""

    attempt: int
    at: int
    status_code: int | None = Field(description="none when no HTTP answer came")
    error: str | None
    duration_ms: int


class WebhookEventObject(BaseModel):
    """An event for the merchant, with every attempt to deliver it."""

    object: Literal["webhook_event"]
    id: str
    type: str
    created: int
    status: str
    attempts: int
    next_attempt_at: int | None
    payload: dict[str, Any]
    deliveries: list[DeliveryObject]


class WebhookEventList(BaseModel):
    """A page of the delivery log, newest first."""

    object: Literal["list"]
    data: list[WebhookEventObject]
    has_more: bool
    next_cursor: str | None


class SetEndpoint(RequestBody):
    url: str = Field(min_length=1, max_length=2048, description="https:// URL that takes POSTs")


def _check_url(ctx: ApiContext, url: str) -> None:
    """Refuse a URL that is malformed, plain http off loopback, or resolves to an address
    webhooks may not reach (webhooks/targets.py); delivery checks it again."""
    try:
        ctx.webhook_targets.check(url)
    except TargetRefused as refused:
        raise ApiError(400, refused.code, str(refused), param="url") from None


def event_json(event: Event, attempts: list[Attempt]) -> dict[str, object]:
    deliveries = [
        {
            "attempt": a.number,
            "at": a.at_ns // NS_PER_S,
            "status_code": a.status_code,
            "error": a.error or None,
            "duration_ms": a.duration_ms,
        }
        for a in attempts
    ]
    return {
        "object": "webhook_event",
        "id": event.id,
        "type": event.type,
        "created": event.created_at_ns // NS_PER_S,
        "status": event.status.value,
        "attempts": event.attempts,
        "next_attempt_at": event.next_attempt_at_ns // NS_PER_S
        if event.status.value == "pending"
        else None,
        "payload": json.loads(event.body),
        "deliveries": deliveries,
    }


@router.post(
    "/v1/merchants/me/webhook_endpoint",
    status_code=201,
    responses=answers(201, WebhookEndpointObject),
)
def set_webhook_endpoint(
    body: SetEndpoint, ctx: Ctx, merchant: WebhooksWriter, key: Idempotent
) -> JSONResponse:
    """Set (or replace) where the merchant's events go. The secret is shown only once."""
    _check_url(ctx, body.url)

    def handle() -> tuple[int, dict[str, object]]:
        endpoint = set_endpoint(ctx, merchant, body.url)
        return 201, {
            "object": "webhook_endpoint",
            "url": body.url,
            "secret": endpoint.secret,
            "created": endpoint.created_at_ns // NS_PER_S,
        }

    request = {"webhook_endpoint": body.model_dump()}
    return key.run(merchant.id, request, handle, secret_fields=("secret",))


@router.get("/v1/merchants/me/webhook_endpoint", responses=answers(200, WebhookEndpointObject, 404))
def get_webhook_endpoint(ctx: Ctx, merchant: WebhooksReader) -> dict[str, object]:
    """Where the merchant's events go (never the secret)."""
    endpoint = ctx.webhook_store.endpoint(merchant.id)
    if endpoint is None:
        raise ApiError(404, "resource_missing", "no webhook endpoint is set")
    return {
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "created": endpoint.created_at_ns // NS_PER_S,
    }


@router.get("/v1/merchants/me/webhook_events", responses=answers(200, WebhookEventList))
def list_webhook_events(
    ctx: Ctx,
    merchant: WebhooksReader,
    limit: int = events_page_default,
    starting_after: str | None = None,
) -> dict[str, object]:
    """The delivery log: the merchant's events, newest first, with every attempt."""
    if not 1 <= limit <= events_page_max:
        raise ApiError(
            400,
            "parameter_invalid",
            f"limit must be between 1 and {events_page_max}",
            param="limit",
        )
    if starting_after is not None:
        found = ctx.webhook_store.event(starting_after)
        if found is None or found.merchant_id != merchant.id:
            raise ApiError(
                400, "parameter_invalid", "starting_after names no event of yours",
                param="starting_after",
            )  # fmt: skip
    events, more = ctx.webhook_store.events(merchant.id, limit, starting_after)
    attempts = ctx.webhook_store.attempts_of([e.id for e in events])
    data = [event_json(e, attempts[e.id]) for e in events]
    return {
        "object": "list",
        "data": data,
        "has_more": more,
        "next_cursor": events[-1].id if more else None,
    }
