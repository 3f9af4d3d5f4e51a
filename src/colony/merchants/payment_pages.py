"""The merchant portal's payments: the list, newest first, a page at a time, searched by
reference, amount and day; a payment's page with its refunds and why each was made; the
list as CSV (the payer's reference and description written so that a spreadsheet never
reads them as formulas); and refunds, full or partial, by the owner only.

A refund takes the API's own path (`checkout(ctx).refund`), and its ledger id derives from
the form's `op` as an API request's from its Idempotency-Key: a form sent twice refunds
once. Its reason is written before its money moves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from colony.api.deps import Ctx
from colony.api.idempotency import transfer_id_for
from colony.api.payment_views import checkout, parse_payment_ref
from colony.kernel.clock import NS_PER_S
from colony.kernel.money import Money
from colony.merchants import DAY_NS, MerchantUserService, refund_reason_chars_max
from colony.payments import PaymentSearch, PayResult, ReceivedPayment, received, received_one
from colony.web.merchant_access import (
    HOME,
    PAYMENT_STATUS_NAMES,
    Portal,
    owner_only,
    portal_of,
    portal_page,
    refund_form_error,
    refund_refusal,
)
from colony.web.shell import Refused, Shell, pages_router
from colony.web.wallet_access import typed_amount

router = pages_router()

# Payments per page of the list.
payments_page_rows = 25
# The most rows one CSV export holds (newest first); narrow the search for older ones.
csv_rows_max = 10_000
# Rows read from the store at a time while exporting.
csv_read_rows = 500
# Random bytes in a refund form's `op` (its idempotency key).
op_bytes = 16
# The longest reference a search takes, in characters (a record holds at most 64).
search_reference_chars_max = 64


def _search(ctx: Ctx, portal: Portal, request: Request) -> tuple[PaymentSearch, dict[str, str]]:
    """The search typed in the list's form (reference, amount, day), and the fields as typed."""
    typed = {k: request.query_params.get(k, "").strip() for k in ("reference", "amount", "day")}
    reference = typed["reference"][:search_reference_chars_max] or None
    amount = typed_amount(typed["amount"], portal.merchant.currency) if typed["amount"] else None
    if typed["amount"] and amount is None:
        raise Refused(400, "amount: an amount above zero, such as 12.50", home=HOME)
    from_ns = to_ns = None
    if typed["day"]:
        try:
            day = datetime.strptime(typed["day"], "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise Refused(400, "day: a date as YYYY-MM-DD", home=HOME) from None
        from_ns = int(day.timestamp()) * NS_PER_S
        to_ns = from_ns + DAY_NS
    return PaymentSearch(reference, amount, from_ns, to_ns), typed


def _cursor(ref: str | None) -> int | None:
    if not ref:
        return None
    found = parse_payment_ref(ref)
    if found is None:
        raise Refused(400, "after: a payment id the previous page gave", home=HOME)
    return found


@router.get("/merchant/payments")
def payments(request: Request, ctx: Ctx, after: str | None = None) -> Response:
    portal = portal_of(ctx, request)
    search, typed = _search(ctx, portal, request)
    page, more = received(
        ctx.payments, ctx.ledger, portal.merchant.id, search, _cursor(after), payments_page_rows
    )
    # Encoded: a reference holds what payers write ("A&B #1"), which would end the field.
    query = urlencode({k: v for k, v in typed.items() if v})
    next_href = None
    if more:
        next_href = f"/merchant/payments?after=pay_{page[-1].record.id:032x}"
        next_href += f"&{query}" if query else ""
    return portal_page(
        ctx.service(Shell), request, "merchants/payments.html", portal, payments=page,
        typed=typed, next_href=next_href, csv_href=f"/merchant/payments.csv?{query}",
        status_names=PAYMENT_STATUS_NAMES,
    )  # fmt: skip


@router.get("/merchant/payments.csv")
def payments_csv(request: Request, ctx: Ctx) -> Response:
    """The payments the search finds, newest first, up to `csv_rows_max` rows."""
    portal = portal_of(ctx, request)
    search, _ = _search(ctx, portal, request)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        # Lines end in CRLF, as RFC 4180 has them: the writer then quotes a cell holding a
        # lone CR, which it leaves bare under "\n" and spreadsheets read as a new row (whose
        # first cell a payer would write, formula and all).
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["id", "created_utc", "reference", "description", "amount_minor", "currency",
             "captured_minor", "refunded_minor", "status", "method"]
        )  # fmt: skip
        written, after = 0, None
        while written < csv_rows_max:
            want = min(csv_read_rows, csv_rows_max - written)
            page, more = received(ctx.payments, ctx.ledger, portal.merchant.id, search, after, want)
            for p in page:
                writer.writerow(_csv_row(p))
            written += len(page)
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if not more or not page:
                return
            after = page[-1].record.id

    name = f"{portal.merchant.id}-payments.csv"
    return StreamingResponse(
        rows(), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


# The first characters that make a spreadsheet read a cell as a formula (Excel, LibreOffice,
# Google Sheets; tab and carriage return because some strip them and read what follows).
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(text: str) -> str:
    """A cell of text the payer wrote (reference, description), kept as text when the file
    is opened: a leading apostrophe before a formula's first character, so a payer cannot
    make the merchant's spreadsheet run `=HYPERLINK(...)` or `=cmd|...`."""
    return "'" + text if text.startswith(_FORMULA_LEADS) else text


def _csv_row(p: ReceivedPayment) -> list[object]:
    r = p.record
    created = datetime.fromtimestamp(r.created_at_ns / NS_PER_S, tz=UTC)
    return [
        f"pay_{r.id:032x}", created.isoformat(timespec="seconds"),
        _text_cell(r.reference or ""), _text_cell(r.description or ""), r.amount_minor,
        r.currency, p.captured_minor, p.refunded_minor, p.status.value, r.method.value,
    ]  # fmt: skip


def _payment(ctx: Ctx, portal: Portal, ref: str) -> ReceivedPayment:
    pid = parse_payment_ref(ref)
    found = received_one(ctx.payments, ctx.ledger, portal.merchant.id, pid) if pid else None
    if found is None:
        raise Refused(404, "No such payment to this shop.", home=HOME)
    return found


def _payment_page(
    ctx: Ctx, request: Request, portal: Portal, payment: ReceivedPayment, *, status: int = 200,
    error: str | None = None, amount: str = "", reason: str = "", op: str | None = None,
) -> Response:  # fmt: skip
    shell = ctx.service(Shell)
    assert ctx.payments.records is not None
    kept = ctx.service(MerchantUserService).reasons_of(payment.record.id)
    reasons = {r.refund_id: r for r in kept}
    recorded = ctx.payments.records.refunds_of(payment.record.id)
    # A record whose transfer the ledger refused is no refund: shown are the ledger's.
    made = {t.id for t in ctx.ledger.lookup_transfers([r.id for r in recorded])}
    refunds = [(r, reasons.get(r.id)) for r in recorded if r.id in made]
    return portal_page(
        shell, request, "merchants/payment.html", portal, status=status, payment=payment,
        refunds=refunds, status_names=PAYMENT_STATUS_NAMES, error=error,
        amount=amount or f"{Money(payment.refundable_minor, payment.record.currency).to_decimal()}",
        reason=reason, op=op or shell.token_bytes(op_bytes).hex(),
        reason_chars_max=refund_reason_chars_max,
    )  # fmt: skip


@router.get("/merchant/payments/{ref}")
def payment(ref: str, request: Request, ctx: Ctx) -> Response:
    portal = portal_of(ctx, request)
    return _payment_page(ctx, request, portal, _payment(ctx, portal, ref))


@router.post("/merchant/payments/{ref}/refund")
def refund(ref: str, request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    form = shell.form(request)
    portal = portal_of(ctx, request)
    owner_only(shell, request, portal)
    paid = _payment(ctx, portal, ref)
    t = shell.texts(request)
    op = form.get("op", "")
    if len(op) != op_bytes * 2:
        raise Refused(400, "This form is missing its id: open the payment again.", home=HOME)
    typed, reason = form.get("amount", ""), form.get("reason", "").strip()
    amount = typed_amount(typed, portal.merchant.currency)
    error = refund_form_error(t, amount, reason)
    if error is None and amount is not None:
        refund_id = transfer_id_for(f"web:{portal.merchant.id}", op)
        users = ctx.service(MerchantUserService)
        users.keep_reason(portal.user, refund_id, paid.record.id, amount, reason)
        refunded = checkout(ctx).refund(paid.ledger_transfer, amount, refund_id)
        result = refunded.outcome.result
        if result is PayResult.ok:
            return shell.redirect(f"/merchant/payments/{ref}")
        error = refund_refusal(t, result.name)
    return _payment_page(
        ctx, request, portal, paid, status=400, error=error, amount=typed, reason=reason, op=op
    )
