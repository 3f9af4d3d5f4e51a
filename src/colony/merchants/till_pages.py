"""The merchant portal at the till: charging an amount typed in (`/merchant/charge`: a
dynamic QR code for one order, which the payer's wallet pays without typing), and the static
code as a poster to print (`/merchant/poster`: a page with print styles, and the same poster
as an SVG file).

Codes are made as the API makes them (`PaymentService.merchant_qr`), drawn by segno.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.kernel.errors import InvalidInput
from colony.merchants import Merchant, poster_pdf, poster_png, poster_svg
from colony.payments import amount_minor_max_on_a_code, render
from colony.web.merchant_access import (
    HOME,
    portal_of,
    portal_page,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_amount

router = pages_router()

# The longest order reference a dynamic code carries, in characters (EMV's tag 62.05).
reference_chars_max = 25
# Partner wallets named on the poster, at most (the poster has room for a few lines).
poster_partners_max = 4


def _code(ctx: Ctx, merchant: Merchant, amount_minor: int | None, reference: str | None) -> str:
    try:
        return ctx.payments.merchant_qr(merchant, amount_minor, reference or None)
    except InvalidInput as exc:
        raise Refused(400, str(exc), home=HOME) from None


def _png(payload: str) -> Response:
    # Private: a code is the shop's, and a dynamic one is one order's.
    return Response(render(payload, "png"), media_type="image/png",
                    headers={"cache-control": "private, no-store"})  # fmt: skip


@router.get("/merchant/charge")
def charge(request: Request, ctx: Ctx, amount: str = "", reference: str = "") -> Response:
    """The till's form; with an amount, the code to show the payer beside it."""
    portal = portal_of(ctx, request)
    t = ctx.service(Shell).texts(request)
    reference = reference.strip()[:reference_chars_max]
    amount_minor = typed_amount(amount, portal.merchant.currency) if amount else None
    error, payload, status = None, None, 200
    largest = amount_minor_max_on_a_code(portal.merchant.currency)
    if amount and amount_minor is None:
        error, status = t("Type an amount above zero, such as 12.50."), 400
    elif amount_minor is not None and amount_minor > largest:
        shown = t.money(largest, portal.merchant.currency)
        error, status = t("A code holds at most {amount}.", amount=shown), 400
        amount_minor = None
    elif amount_minor is not None and portal.suspended:
        # No payer could pay it (docs/adr/0114): no code to show a customer.
        error, status = t("No code is shown while Colony has suspended this shop."), 409
    elif amount_minor is not None:
        payload = _code(ctx, portal.merchant, amount_minor, reference)
    return portal_page(
        ctx.service(Shell), request, "merchants/charge.html", portal, amount=amount,
        reference=reference, amount_minor=amount_minor, payload=payload, error=error,
        reference_chars_max=reference_chars_max, status=status,
    )  # fmt: skip


@router.get("/merchant/charge.png")
def charge_png(
    request: Request,
    ctx: Ctx,
    amount_minor: Annotated[int, Query(gt=0, lt=2**63)],
    reference: Annotated[str, Query(max_length=reference_chars_max)] = "",
) -> Response:
    portal = portal_of(ctx, request)
    if portal.suspended:
        t = ctx.service(Shell).texts(request)
        raise Refused(409, t("No code is shown while Colony has suspended this shop."), home=HOME)
    return _png(_code(ctx, portal.merchant, amount_minor, reference))


@router.get("/merchant/qr.png")
def static_png(request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    return _png(_code(ctx, portal.merchant, None, None))


def _accepted(ctx: Ctx, request: Request) -> tuple[str, ...]:
    """The wallets that pay the code: Colony's own, and its partners' by their brands."""
    t = ctx.service(Shell).texts(request)
    partners = ctx.partners.listed(poster_partners_max) if ctx.partners is not None else []
    return (t("Colony wallet app"), *(p.brand for p in partners))


@router.get("/merchant/poster")
def poster(request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    return portal_page(
        ctx.service(Shell), request, "merchants/poster.html", portal,
        accepted=_accepted(ctx, request),
    )  # fmt: skip


# The poster's files: how each is drawn, and its media type.
_POSTERS = {
    "svg": (poster_svg, "image/svg+xml"),
    "pdf": (poster_pdf, "application/pdf"),
    "png": (poster_png, "image/png"),
}


@router.get("/merchant/poster.{kind}")
def poster_file(kind: str, request: Request, ctx: Ctx) -> Response:
    """The poster to print: SVG, PDF (A4) or PNG (A4 at 150 dpi)."""
    if kind not in _POSTERS:
        raise Refused(404, "A poster is svg, pdf or png.")
    portal = portal_of(ctx, request)
    merchant = portal.merchant
    t = ctx.service(Shell).texts(request)
    draw, media = _POSTERS[kind]
    drawn = draw(
        merchant.display_name, merchant.city, _code(ctx, merchant, None, None),
        t("Scan to pay with your wallet"), _accepted(ctx, request),
    )  # fmt: skip
    return Response(
        drawn, media_type=media,
        headers={"content-disposition": f'inline; filename="{merchant.id}-poster.{kind}"'},
    )  # fmt: skip
