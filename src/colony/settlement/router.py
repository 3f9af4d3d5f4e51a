"""Settlement between partners over HTTP: a window's report (JSON, or CSV) and the
reconciliation of a partner's statement file (docs/adr/0018).

The operator sees every partner's lines and may reconcile for any partner; a partner's key
sees its own lines only, and reconciles its own statement.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import Body, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, SettlementReader
from colony.api.errors import ApiError
from colony.kernel.clock import utc_from_ns
from colony.kernel.errors import InvalidInput
from colony.settlement import (
    Entry,
    Reconciliation,
    SettlementReport,
    SettlementService,
    Window,
    report_csv,
    statement_bytes_max,
)

# The longest window name and partner id accepted, in characters.
window_chars_max = 16
partner_id_chars_max = 64

# Checked after the caller is known, so that a stranger learns nothing from a bad one.
WindowName = Annotated[str | None, Query(description="YYYY-MM-DD")]

router = product_router("settlement")


class SettlementLineObject(BaseModel):
    """One partner's figures in one currency for the window, in minor units."""

    partner: str
    currency: str
    payments_acquired: int
    gross_acquired_minor: int
    refunds_acquired_minor: int
    payments_issued: int
    gross_issued_minor: int
    refunds_issued_minor: int
    fees_minor: int
    interchange_minor: int
    fx_bought_minor: int
    fx_sold_minor: int
    net_minor: int = Field(description="the platform pays it (positive) or collects (negative)")


class SettlementObject(BaseModel):
    """A window's settlement report: per partner and currency, the gross both ways, refunds,
    fees, interchange and the net."""

    object: Literal["settlement"]
    window: str
    window_start: str
    window_end: str
    closed: bool = Field(description="final once the window has ended; provisional until")
    lines: list[SettlementLineObject]


class EntryObject(BaseModel):
    """A payment or refund, as the ledger or the statement has it."""

    id: str
    amount_minor: int
    currency: str


class DifferenceObject(BaseModel):
    """An entry the ledger and the statement both have, with different amounts."""

    id: str
    ledger: EntryObject
    statement: EntryObject


class ReconciliationObject(BaseModel):
    """A partner's statement file compared with the ledger's movements in the window."""

    object: Literal["reconciliation"]
    partner: str
    window: str
    matched: list[EntryObject]
    missing_from_statement: list[EntryObject]
    missing_from_ledger: list[EntryObject]
    different: list[DifferenceObject]


def report_json(report: SettlementReport, partner_id: str | None) -> dict[str, object]:
    lines = [vars(line) for line in report.lines if partner_id in (None, line.partner_id)]
    return {
        "object": "settlement",
        "window": report.window.name,
        "window_start": utc_from_ns(report.window.start_ns).isoformat(),
        "window_end": utc_from_ns(report.window.end_ns).isoformat(),
        "closed": report.closed,
        "lines": [{"partner": line.pop("partner_id"), **line} for line in lines],
    }


def _entry_json(e: Entry) -> dict[str, object]:
    return {"id": e.ref, "amount_minor": e.amount_minor, "currency": e.currency}


def reconciliation_json(partner_id: str, window: Window, r: Reconciliation) -> dict[str, object]:
    return {
        "object": "reconciliation",
        "partner": partner_id,
        "window": window.name,
        "matched": [_entry_json(e) for e in r.matched],
        "missing_from_statement": [_entry_json(e) for e in r.missing_from_statement],
        "missing_from_ledger": [_entry_json(e) for e in r.missing_from_ledger],
        "different": [
            {"id": d.ref, "ledger": _entry_json(d.ledger), "statement": _entry_json(d.statement)}
            for d in r.different
        ],
    }


def service(ctx: ApiContext) -> SettlementService:
    if ctx.partners is None:
        raise RuntimeError("this Colony keeps no partners: build_context sets them")
    return SettlementService(ctx.ledger, ctx.partners.store, ctx.clock)


def window_named(ctx: ApiContext, name: str) -> Window:
    try:
        if len(name) > window_chars_max:
            raise InvalidInput(f"window is at most {window_chars_max} characters")
        return service(ctx).window(name)
    except InvalidInput as exc:
        raise ApiError(400, "parameter_invalid", str(exc), param="window") from None


@router.get("/v1/settlements", responses=answers(200, SettlementObject))
def get_settlement(
    ctx: Ctx, partner_id: SettlementReader, window: WindowName = None
) -> dict[str, object]:
    """A window's settlement report: per partner and currency, the gross both ways,
    refunds, fees, interchange and the net. A partner's key sees its own lines."""
    if window is None:
        raise ApiError(400, "parameter_missing", "name the window", param="window")
    return report_json(service(ctx).report(window_named(ctx, window)), partner_id)


@router.get(
    "/v1/settlements/{window}.csv",
    response_class=Response,
    responses={
        200: {
            "description": "The report as CSV, one line per partner and currency",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def get_settlement_csv(window: str, ctx: Ctx, partner_id: SettlementReader) -> Response:
    """The report as CSV with a header row (integer minor units beside the currency)."""
    report = service(ctx).report(window_named(ctx, window))
    if partner_id is not None:
        own = [line for line in report.lines if line.partner_id == partner_id]
        report = SettlementReport(report.window, report.closed, own, [])
    return Response(report_csv(report), media_type="text/csv")


@router.post(
    "/v1/settlements/{window}/reconciliations", responses=answers(200, ReconciliationObject, 404)
)
def reconcile_statement(
    window: str,
    ctx: Ctx,
    caller_id: SettlementReader,
    key: Idempotent,
    statement: Annotated[
        str,
        Body(
            # Read as the bytes sent, whatever the type: text/csv is the file's own, and
            # application/octet-stream the one client generators know how to upload.
            media_type="application/octet-stream",
            max_length=statement_bytes_max,
            description="The statement file: CSV lines of id, amount_minor, currency",
            json_schema_extra={"format": "binary"},
        ),
    ] = "",
    partner: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    """Compare a partner's statement file (CSV: id, amount_minor, currency) with the
    ledger's payments and refunds across partners in the window: matched, missing either
    way, different. It only reads; a malformed file is refused naming line and field."""
    if caller_id is not None and partner not in (None, caller_id):
        raise ApiError(404, "resource_missing", f"no partner {partner}", param="partner")
    partner_id = caller_id or partner
    if partner_id is None:
        raise ApiError(400, "parameter_missing", "name the partner to reconcile", param="partner")
    if len(partner_id) > partner_id_chars_max or not service(ctx).known(partner_id):
        raise ApiError(404, "resource_missing", f"no partner {partner_id}", param="partner")
    named = window_named(ctx, window)

    def handle() -> tuple[int, dict[str, object]]:
        try:
            found = service(ctx).reconcile(partner_id, named, statement)
        except InvalidInput as exc:
            raise ApiError(400, "statement_invalid", str(exc), param="statement") from None
        return 200, reconciliation_json(partner_id, named, found)

    digest = hashlib.sha256(statement.encode()).hexdigest()
    request = {"reconciliation": [partner_id, named.name, digest]}
    return key.run(caller_id or "operator", request, handle)
