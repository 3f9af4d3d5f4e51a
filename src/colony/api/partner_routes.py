"""Partners over HTTP: the operator creates partners and their keys; a partner's key opens
wallets for its users, onboards its merchants and reads its own payments.

Every lookup a partner's key makes is filtered by the partner: another partner's wallet,
merchant or payment (and the house's) is answered 404, as anything else the caller does not
own (docs/adr/0017).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth, idempotency, scopes
from colony.api.context import ApiContext
from colony.api.errors import ApiError
from colony.api.key_routes import key_json, key_name_chars_max
from colony.api.payment_routes import (
    OnboardMerchant,
    cross_border_records,
    merchant_json,
    onboarded,
    parse_payment_ref,
    payment_json,
)
from colony.api.wallet_views import OpenWallet, opened_wallet, wallet_json
from colony.kernel.clock import NS_PER_S
from colony.partners.model import MemberKind, Partner
from colony.partners.service import PartnerResult, PartnerService, partner_name_chars_max
from colony.payments.store import PaymentRecord

# Items per listed page (partners, wallets, merchants, payments): by default, and the most.
page_default = 10
page_max = 100
# The longest id accepted as a cursor, in characters.
cursor_chars_max = 64

Limit = Annotated[int, Query(ge=1, le=page_max)]
Cursor = Annotated[str | None, Query(max_length=cursor_chars_max)]


class CreatePartner(BaseModel):
    name: str = Field(min_length=1, max_length=partner_name_chars_max, description="legal name")
    brand: str = Field(min_length=1, max_length=partner_name_chars_max, description="as shown")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. PH")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. PHP")
    model_config = {"strict": True}


class CreatePartnerKey(BaseModel):
    name: str = Field(min_length=1, max_length=key_name_chars_max, description="e.g. backend")
    model_config = {"strict": True}


def partner_json(p: Partner) -> dict[str, object]:
    return {
        "object": "partner",
        "id": p.id,
        "name": p.name,
        "brand": p.brand,
        "country": p.country,
        "currency": p.currency,
        "created": p.created_at_ns // NS_PER_S,
    }


def listed(data: list[dict[str, object]], limit: int) -> dict[str, object]:
    """A page from up to `limit + 1` items: the extra one only says there is more."""
    has_more = len(data) > limit
    page = data[:limit]
    return {
        "object": "list",
        "data": page,
        "has_more": has_more,
        "next_cursor": page[-1]["id"] if has_more else None,
    }


def register(app: FastAPI, ctx: ApiContext) -> None:
    def service() -> PartnerService:
        if ctx.partners is None:
            raise RuntimeError("this Colony keeps no partners: build_context sets them")
        return ctx.partners

    def missing(what: str, ref: str, param: str) -> ApiError:
        return ApiError(404, "resource_missing", f"no {what} {ref}", param=param)

    def member_json(partner: Partner, kind: MemberKind, member_id: str) -> dict[str, object] | None:
        """The partner's wallet or merchant as the API shows it; None if it is not theirs."""
        if not service().owns(partner.id, kind, member_id):
            return None
        if kind is MemberKind.wallet:
            wallet = ctx.wallet_store.by_id(member_id)
            shown = None if wallet is None else wallet_json(ctx, wallet)
        else:
            merchant = ctx.merchants.by_id(member_id)
            shown = None if merchant is None else merchant_json(merchant)
        return None if shown is None else shown | {"partner": partner.id}

    def own_member(partner: Partner, kind: MemberKind, member_id: str) -> dict[str, object]:
        found = member_json(partner, kind, member_id)
        if found is None:
            raise missing(kind.value, member_id, f"{kind.value}_id")
        return found

    def members(
        partner: Partner, kind: MemberKind, limit: int, starting_after: str | None
    ) -> dict[str, object]:
        if starting_after is not None and not service().owns(partner.id, kind, starting_after):
            raise ApiError(
                400,
                "parameter_invalid",
                f"starting_after: no {kind.value} {starting_after} in this list",
                param="starting_after",
            )
        ids = service().store.members(partner.id, kind, starting_after, limit + 1)
        shown = (member_json(partner, kind, member_id) for member_id in ids)
        return listed([j for j in shown if j is not None], limit)

    def enrolled(
        partner: Partner,
        kind: MemberKind,
        idempotency_key: str | None,
        request: dict[str, object],
        member_id: Callable[[], str],
        make: Callable[[str], dict[str, object]],
    ) -> JSONResponse:
        """Make a wallet or merchant (`make`, given its new id: the answer with its secret)
        and record it as the partner's, once per Idempotency-Key.

        Enrolled before it is made: a crash between the two writes then leaves a membership
        naming nothing (never listed, never matched), not a wallet or merchant of the
        partner's counted as the house's in clearing."""

        def handle() -> tuple[int, dict[str, object]]:
            new_id = member_id()
            service().enrol(kind, new_id, partner.id)
            return 201, make(new_id) | {"partner": partner.id}

        secret = "token" if kind is MemberKind.wallet else "api_key"
        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            partner.id,
            idempotency_key,
            {kind.value: request},
            handle,
            secret_fields=(secret,),
        )

    def own_payment(partner: Partner, record: PaymentRecord | None) -> bool:
        return record is not None and (
            service().owns(partner.id, MemberKind.wallet, record.wallet_id)
            or service().owns(partner.id, MemberKind.merchant, record.merchant_id)
        )

    def shown_payment(record: PaymentRecord | None) -> dict[str, object] | None:
        found = ctx.ledger.lookup_transfers([record.id]) if record is not None else []
        return payment_json(ctx, found[0], record) if found else None

    @app.post("/v1/partners", status_code=201, tags=["partners"])
    def create_partner(
        body: CreatePartner,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Create a partner wallet operator, a tenant (operator only)."""
        auth.operator(ctx, authorization, scope=scopes.PARTNERS_WRITE)

        def handle() -> tuple[int, dict[str, object]]:
            result, partner = service().create(body.name, body.brand, body.country, body.currency)
            if partner is None:
                param = {
                    PartnerResult.invalid_brand: "brand",
                    PartnerResult.unknown_country: "country",
                    PartnerResult.unknown_currency: "currency",
                }.get(result, "name")
                raise ApiError(400, result.name, result.name.replace("_", " "), param=param)
            return 201, partner_json(partner)

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            "operator",
            idempotency_key,
            {"partner": body.model_dump()},
            handle,
        )

    @app.get("/v1/partners", tags=["partners"])
    def list_partners(
        authorization: Annotated[str | None, Header()] = None,
        limit: Limit = page_default,
        starting_after: Cursor = None,
    ) -> dict[str, object]:
        """Every partner, oldest first (operator only)."""
        auth.operator(ctx, authorization, scope=scopes.PARTNERS_READ)
        found = service().store.page(starting_after, limit + 1)
        return listed([partner_json(p) for p in found], limit)

    @app.post("/v1/partners/{partner_id}/keys", status_code=201, tags=["partners"])
    def create_partner_key(
        partner_id: str,
        body: CreatePartnerKey,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Make a partner's standard API key (operator only). Its secret is shown only once."""
        auth.operator(ctx, authorization, scope=scopes.PARTNERS_WRITE)
        partner = service().by_id(partner_id)
        if partner is None:
            raise missing("partner", partner_id, "partner_id")

        def handle() -> tuple[int, dict[str, object]]:
            secret = auth.new_secret(ctx, auth.PARTNER_KEY_PREFIX)
            digest = auth.digest(secret)
            now = ctx.clock.now_ns()
            ctx.api_store.add_key(digest, "partner", partner.id, now, name=body.name)
            made = ctx.api_store.key(digest)
            assert made is not None
            return 201, key_json(made) | {"partner": partner.id, "secret": secret}

        return idempotency.run(
            ctx.api_store,
            ctx.clock,
            "operator",
            idempotency_key,
            {"partner_key": partner.id, **body.model_dump()},
            handle,
            secret_fields=("secret",),
        )

    @app.post("/v1/partner/wallets", status_code=201, tags=["partners"])
    def open_partner_wallet(
        body: OpenWallet,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Open a wallet for one of the partner's users. The response holds the wallet's
        token, shown only once."""
        partner = auth.partner(ctx, authorization, scope=scopes.WALLETS_WRITE)

        def make(wallet_id: str) -> dict[str, object]:
            return opened_wallet(ctx, body, wallet_id)[1]

        return enrolled(
            partner,
            MemberKind.wallet,
            idempotency_key,
            body.model_dump(),
            ctx.wallets.new_wallet_id,
            make,
        )

    @app.get("/v1/partner/wallets", tags=["partners"])
    def list_partner_wallets(
        authorization: Annotated[str | None, Header()] = None,
        limit: Limit = page_default,
        starting_after: Cursor = None,
    ) -> dict[str, object]:
        """The partner's wallets, oldest first."""
        partner = auth.partner(ctx, authorization, scope=scopes.WALLETS_READ)
        return members(partner, MemberKind.wallet, limit, starting_after)

    @app.get("/v1/partner/wallets/{wallet_id}", tags=["partners"])
    def get_partner_wallet(
        wallet_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """One of the partner's wallets; 404 for any other."""
        partner = auth.partner(ctx, authorization, scope=scopes.WALLETS_READ)
        return own_member(partner, MemberKind.wallet, wallet_id)

    @app.post("/v1/partner/merchants", status_code=201, tags=["partners"])
    def onboard_partner_merchant(
        body: OnboardMerchant,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """Onboard a merchant the partner acquired. The response holds the merchant's API
        key, shown only once."""
        partner = auth.partner(ctx, authorization, scope=scopes.MERCHANTS_WRITE)

        def make(merchant_id: str) -> dict[str, object]:
            return onboarded(ctx, body, merchant_id)[1]

        return enrolled(
            partner,
            MemberKind.merchant,
            idempotency_key,
            body.model_dump(),
            ctx.merchants.new_merchant_id,
            make,
        )

    @app.get("/v1/partner/merchants", tags=["partners"])
    def list_partner_merchants(
        authorization: Annotated[str | None, Header()] = None,
        limit: Limit = page_default,
        starting_after: Cursor = None,
    ) -> dict[str, object]:
        """The partner's merchants, oldest first."""
        partner = auth.partner(ctx, authorization, scope=scopes.MERCHANTS_READ)
        return members(partner, MemberKind.merchant, limit, starting_after)

    @app.get("/v1/partner/merchants/{merchant_id}", tags=["partners"])
    def get_partner_merchant(
        merchant_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """One of the partner's merchants; 404 for any other."""
        partner = auth.partner(ctx, authorization, scope=scopes.MERCHANTS_READ)
        return own_member(partner, MemberKind.merchant, merchant_id)

    def records_by_ref(ref: str | None) -> PaymentRecord | None:
        pid = parse_payment_ref(ref) if ref is not None else None
        if pid is None or ctx.payments.records is None:
            return None
        return ctx.payments.records.by_id(pid)

    @app.get("/v1/partner/payments", tags=["partners"])
    def list_partner_payments(
        authorization: Annotated[str | None, Header()] = None,
        limit: Limit = page_default,
        starting_after: Cursor = None,
    ) -> dict[str, object]:
        """Payments the partner's wallets made or its merchants received, newest first."""
        partner = auth.partner(ctx, authorization, scope=scopes.PAYMENTS_READ)
        after = None
        if starting_after is not None:
            cursor = records_by_ref(starting_after)
            if cursor is None or not own_payment(partner, cursor):
                raise ApiError(
                    400,
                    "parameter_invalid",
                    f"starting_after: no payment {starting_after} in this list",
                    param="starting_after",
                )
            after = cursor.id
        ids = service().store.payment_ids(partner.id, after, limit + 1)
        records = ctx.payments.records
        found = [records.by_id(i) for i in ids] if records is not None else []
        kept = [r for r in found if r is not None]
        transfers = {t.id: t for t in ctx.ledger.lookup_transfers([r.id for r in kept])}
        shown = [(r, transfers[r.id]) for r in kept if r.id in transfers]
        paid = cross_border_records(ctx, [t for _, t in shown])
        return listed([payment_json(ctx, t, r, paid) for r, t in shown], limit)

    @app.get("/v1/partner/payments/{payment_id}", tags=["partners"])
    def get_partner_payment(
        payment_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """A payment one of the partner's wallets made or merchants received; 404 otherwise."""
        partner = auth.partner(ctx, authorization, scope=scopes.PAYMENTS_READ)
        record = records_by_ref(payment_id)
        shown = shown_payment(record) if own_payment(partner, record) else None
        if shown is None:
            raise missing("payment", payment_id, "payment_id")
        return shown
