"""Setting a merchant's webhook endpoint, as the API and the merchant portal both do."""

from __future__ import annotations

from colony.api import auth
from colony.api.context import ApiContext
from colony.merchants import Merchant
from colony.webhooks import Endpoint

WEBHOOK_SECRET_PREFIX = "whsec_"


def set_endpoint(ctx: ApiContext, merchant: Merchant, url: str) -> Endpoint:
    """Send the merchant's events to `url` (checked by the caller) from now on, under a new
    secret: events start after the newest change to the merchant's account."""
    secret = auth.new_secret(ctx, WEBHOOK_SECRET_PREFIX)
    last = ctx.ledger.statement(merchant.account_id, limit=1, reverse=True).lines
    endpoint = Endpoint(
        merchant.id, url, secret, ctx.clock.now_ns(), last[0].timestamp if last else 0
    )
    ctx.webhook_store.set_endpoint(endpoint)
    return endpoint
