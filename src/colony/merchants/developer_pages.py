"""The merchant portal's developer screens, the owner's only: API keys (the list, a new
restricted key with the scopes chosen, its secret shown once; revoking one) and the webhook
endpoint with its delivery log. They act through what the API's own routes use, so a key
made here is the same as one made over the API.

A secret is shown on the page that answers the form that made it, not after a redirect:
it is never stored where a second page could read it again.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from colony.api import auth, scopes
from colony.api.deps import Ctx
from colony.api.key_views import key_name_chars_max, owned_key
from colony.api.webhook_views import set_endpoint
from colony.web.merchant_access import (
    HOME,
    Portal,
    owner_portal_of,
    portal_page,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.webhooks import TargetRefused

router = pages_router()

# Events of the delivery log shown on the webhook screen, newest first.
log_events_shown = 20
# The most keys a merchant may hold that are not revoked (as over the API).
keys_per_merchant_max = 100


def _keys_page(
    ctx: Ctx, request: Request, portal: Portal, *, status: int = 200, secret: str | None = None,
    error: str | None = None,
) -> Response:  # fmt: skip
    keys = ctx.api_store.keys_of("merchant", portal.merchant.id)
    return portal_page(
        ctx.service(Shell), request, "merchants/keys.html", portal, status=status, keys=keys,
        scope_names=scopes.MERCHANT_SCOPES, held=scopes.held, secret=secret, error=error,
        name_chars_max=key_name_chars_max,
    )  # fmt: skip


@router.get("/merchant/keys")
def keys(request: Request, ctx: Ctx) -> Response:
    return _keys_page(ctx, request, owner_portal_of(ctx, request))


@router.post("/merchant/keys")
def create_key(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = owner_portal_of(ctx, request)
    t = shell.texts(request)
    # A box per scope, each its own field: `scope_payments:read` is sent when ticked.
    wanted = tuple(sorted(s for s in scopes.MERCHANT_SCOPES if form.get(f"scope_{s}")))
    name = form.get("name", "").strip()
    live = [k for k in ctx.api_store.keys_of("merchant", portal.merchant.id) if not k.revoked_at_ns]
    error = None
    if not 0 < len(name) <= key_name_chars_max:
        error = t(
            "Give the key a name of up to {chars} characters, such as till 3.",
            chars=key_name_chars_max,
        )
    elif not wanted:
        error = t("Choose at least one thing the key may do.")
    elif len(live) >= keys_per_merchant_max:
        error = t(
            "A shop holds at most {count} keys: revoke one first.", count=keys_per_merchant_max
        )
    if error is not None:
        return _keys_page(ctx, request, portal, status=400, error=error)
    secret, _ = auth.add_merchant_key(ctx, portal.merchant.id, name, wanted)
    return _keys_page(ctx, request, portal, secret=secret)


@router.post("/merchant/keys/{key_id}/revoke")
def revoke_key(key_id: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    shell.form(request)
    portal = owner_portal_of(ctx, request)
    found = owned_key(ctx.api_store, "merchant", portal.merchant.id, key_id)
    if found is None:
        raise Refused(404, "No such key of this shop.", home=HOME)
    if found.revoked_at_ns is None:
        ctx.api_store.revoke_key(found.key_sha256, ctx.clock.now_ns())
    return shell.redirect("/merchant/keys")


def _webhook_page(
    ctx: Ctx, request: Request, portal: Portal, *, status: int = 200, secret: str | None = None,
    error: str | None = None, url: str | None = None,
) -> Response:  # fmt: skip
    endpoint = ctx.webhook_store.endpoint(portal.merchant.id)
    events, _ = ctx.webhook_store.events(portal.merchant.id, log_events_shown, None)
    attempts = ctx.webhook_store.attempts_of([e.id for e in events])
    return portal_page(
        ctx.service(Shell), request, "merchants/webhook.html", portal, status=status,
        endpoint=endpoint, events=events, attempts=attempts, secret=secret, error=error,
        url=url if url is not None else (endpoint.url if endpoint else ""),
    )  # fmt: skip


@router.get("/merchant/webhook")
def webhook(request: Request, ctx: Ctx) -> Response:
    return _webhook_page(ctx, request, owner_portal_of(ctx, request))


@router.post("/merchant/webhook")
def set_webhook(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = owner_portal_of(ctx, request)
    url = form.get("url", "").strip()
    try:
        ctx.webhook_targets.check(url)
    except TargetRefused as refused:
        t = shell.texts(request)
        error = t("Colony cannot send events there: {reason}", reason=str(refused))
        return _webhook_page(ctx, request, portal, status=400, error=error, url=url)
    endpoint = set_endpoint(ctx, portal.merchant, url)
    return _webhook_page(ctx, request, portal, secret=endpoint.secret)
