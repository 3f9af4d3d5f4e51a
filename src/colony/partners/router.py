"""Partners over HTTP: the operator creates partners and their keys; a partner's key opens
wallets for its users, onboards its merchants and reads its own payments.

Every lookup a partner's key makes is filtered by the partner: another partner's wallet,
merchant or payment (and the house's) is answered 404, as anything else the caller does not
own (docs/adr/0017).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from colony.api import auth, scopes
from colony.api.answers import answers, product_router
from colony.api.context import ApiContext
from colony.api.deps import Ctx, Idempotent, operator, partner
from colony.api.errors import ApiError
from colony.api.input_limits import RequestBody
from colony.api.key_views import ApiKeyObject, key_json, key_name_chars_max, owned_key
from colony.api.merchant_views import (
    MerchantObject,
    OnboardedMerchantObject,
    OnboardMerchant,
    merchant_json,
    onboarded,
)
from colony.api.payment_views import (
    PaymentList,
    PaymentObject,
    cross_border_records,
    parse_payment_ref,
    payment_json,
)
from colony.api.wallet_views import (
    OpenedWalletObject,
    OpenWallet,
    WalletObject,
    opened_wallet,
    wallet_json,
)
from colony.kernel.clock import NS_PER_S
from colony.partners import (
    MemberKind,
    Partner,
    PartnerResult,
    PartnerService,
    partner_name_chars_max,
)
from colony.payments import PaymentRecord

# Items per listed page (partners, wallets, merchants, payments): by default, and the most.
page_default = 10
page_max = 100
# The longest id accepted as a cursor, in characters.
cursor_chars_max = 64

Limit = Annotated[int, Query(ge=1, le=page_max)]
Cursor = Annotated[str | None, Query(max_length=cursor_chars_max)]

router = product_router("partners")

PartnersReader = operator(scopes.PARTNERS_READ)
PartnersWriter = operator(scopes.PARTNERS_WRITE)
WalletsReader = Annotated[Partner, partner(scopes.WALLETS_READ)]
WalletsWriter = Annotated[Partner, partner(scopes.WALLETS_WRITE)]
MerchantsReader = Annotated[Partner, partner(scopes.MERCHANTS_READ)]
MerchantsWriter = Annotated[Partner, partner(scopes.MERCHANTS_WRITE)]
PaymentsReader = Annotated[Partner, partner(scopes.PAYMENTS_READ)]


class PartnerObject(BaseModel):
    """A partner wallet operator: a tenant with its own users, merchants and currency."""

    object: Literal["partner"]
    id: str
    name: str
    brand: str
    country: str
    currency: str
    created: int


class PartnerList(BaseModel):
    """A page of partners, oldest first."""

    object: Literal["list"]
    data: list[PartnerObject]
    has_more: bool
    next_cursor: str | None


class PartnerWalletList(BaseModel):
    """A page of the partner's wallets, oldest first."""

    object: Literal["list"]
    data: list[WalletObject]
    has_more: bool
    next_cursor: str | None


class PartnerMerchantList(BaseModel):
    """A page of the partner's merchants, oldest first."""

    object: Literal["list"]
    data: list[MerchantObject]
    has_more: bool
    next_cursor: str | None


class CreatePartner(RequestBody):
    name_fields = frozenset({"name", "brand"})
    name: str = Field(min_length=1, max_length=partner_name_chars_max, description="legal name")
    brand: str = Field(min_length=1, max_length=partner_name_chars_max, description="as shown")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. PH")
    currency: str = Field(min_length=3, max_length=3, description="ISO 4217, e.g. PHP")


class CreatePartnerKey(RequestBody):
    name_fields = frozenset({"name"})
    name: str = Field(min_length=1, max_length=key_name_chars_max, description="e.g. backend")


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


def service(ctx: ApiContext) -> PartnerService:
    if ctx.partners is None:
        raise RuntimeError("this Colony keeps no partners: build_context sets them")
    return ctx.partners


def missing(what: str, ref: str, param: str) -> ApiError:
    return ApiError(404, "resource_missing", f"no {what} {ref}", param=param)


def member_json(
    ctx: ApiContext, partner: Partner, kind: MemberKind, member_id: str
) -> dict[str, object] | None:
    """The partner's wallet or merchant as the API shows it; None if it is not theirs."""
    if not service(ctx).owns(partner.id, kind, member_id):
        return None
    if kind is MemberKind.wallet:
        wallet = ctx.wallet_store.by_id(member_id)
        shown = None if wallet is None else wallet_json(ctx, wallet)
    else:
        merchant = ctx.merchants.by_id(member_id)
        shown = (
            None
            if merchant is None
            else merchant_json(merchant, suspended=ctx.merchants.is_suspended(merchant.id))
        )
    return None if shown is None else shown | {"partner": partner.id}


def own_member(
    ctx: ApiContext, partner: Partner, kind: MemberKind, member_id: str
) -> dict[str, object]:
    found = member_json(ctx, partner, kind, member_id)
    if found is None:
        raise missing(kind.value, member_id, f"{kind.value}_id")
    return found


def members(
    ctx: ApiContext, partner: Partner, kind: MemberKind, limit: int, starting_after: str | None
) -> dict[str, object]:
    if starting_after is not None and not service(ctx).owns(partner.id, kind, starting_after):
        raise ApiError(
            400,
            "parameter_invalid",
            f"starting_after: no {kind.value} {starting_after} in this list",
            param="starting_after",
        )
    ids = service(ctx).store.members(partner.id, kind, starting_after, limit + 1)
    shown = (member_json(ctx, partner, kind, member_id) for member_id in ids)
    return listed([j for j in shown if j is not None], limit)


def enrolled(
    ctx: ApiContext,
    partner: Partner,
    kind: MemberKind,
    key: Idempotent,
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
        service(ctx).enrol(kind, new_id, partner.id)
        return 201, make(new_id) | {"partner": partner.id}

    secret = "token" if kind is MemberKind.wallet else "api_key"
    return key.run(partner.id, {kind.value: request}, handle, secret_fields=(secret,))


def own_payment(ctx: ApiContext, partner: Partner, record: PaymentRecord | None) -> bool:
    return record is not None and (
        service(ctx).owns(partner.id, MemberKind.wallet, record.wallet_id)
        or service(ctx).owns(partner.id, MemberKind.merchant, record.merchant_id)
    )


def shown_payment(ctx: ApiContext, record: PaymentRecord | None) -> dict[str, object] | None:
    found = ctx.ledger.lookup_transfers([record.id]) if record is not None else []
    return payment_json(ctx, found[0], record) if found else None


def record_by_ref(ctx: ApiContext, ref: str | None) -> PaymentRecord | None:
    pid = parse_payment_ref(ref) if ref is not None else None
    if pid is None or ctx.payments.records is None:
        return None
    return ctx.payments.records.by_id(pid)


@router.post(
    "/v1/partners",
    status_code=201,
    dependencies=[PartnersWriter],
    responses=answers(201, PartnerObject),
)
def create_partner(body: CreatePartner, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Create a partner wallet operator, a tenant (operator only)."""

    def handle() -> tuple[int, dict[str, object]]:
        result, made = service(ctx).create(body.name, body.brand, body.country, body.currency)
        if made is None:
            param = {
                PartnerResult.invalid_brand: "brand",
                PartnerResult.unknown_country: "country",
                PartnerResult.unknown_currency: "currency",
            }.get(result, "name")
            raise ApiError(400, result.name, result.name.replace("_", " "), param=param)
        return 201, partner_json(made)

    return key.run("operator", {"partner": body.model_dump()}, handle)


@router.get("/v1/partners", dependencies=[PartnersReader], responses=answers(200, PartnerList))
def list_partners(
    ctx: Ctx, limit: Limit = page_default, starting_after: Cursor = None
) -> dict[str, object]:
    """Every partner, oldest first (operator only)."""
    found = service(ctx).store.page(starting_after, limit + 1)
    return listed([partner_json(p) for p in found], limit)


@router.post(
    "/v1/partners/{partner_id}/keys",
    status_code=201,
    dependencies=[PartnersWriter],
    responses=answers(201, ApiKeyObject, 404),
)
def create_partner_key(
    partner_id: str, body: CreatePartnerKey, ctx: Ctx, key: Idempotent
) -> JSONResponse:
    """Make a partner's standard API key (operator only). Its secret is shown only once."""
    found = service(ctx).by_id(partner_id)
    if found is None:
        raise missing("partner", partner_id, "partner_id")

    def handle() -> tuple[int, dict[str, object]]:
        secret = auth.new_secret(ctx, auth.PARTNER_KEY_PREFIX)
        digest = auth.digest(secret)
        now = ctx.clock.now_ns()
        ctx.api_store.add_key(digest, "partner", found.id, now, name=body.name)
        made = ctx.api_store.key(digest)
        assert made is not None
        return 201, key_json(made) | {"partner": found.id, "secret": secret}

    request = {"partner_key": found.id, **body.model_dump()}
    return key.run("operator", request, handle, secret_fields=("secret",))


@router.post(
    "/v1/partners/{partner_id}/keys/{key_id}/revoke",
    dependencies=[PartnersWriter],
    responses=answers(200, ApiKeyObject, 404),
)
def revoke_partner_key(partner_id: str, key_id: str, ctx: Ctx, key: Idempotent) -> JSONResponse:
    """Revoke one of a partner's API keys (operator only): from now on it is answered 401."""
    found = service(ctx).by_id(partner_id)
    if found is None:
        raise missing("partner", partner_id, "partner_id")
    target = owned_key(ctx.api_store, "partner", found.id, key_id)
    if target is None:
        raise missing("API key", key_id, "key_id")

    def handle() -> tuple[int, dict[str, object]]:
        ctx.api_store.revoke_key(target.key_sha256, ctx.clock.now_ns())
        revoked = ctx.api_store.key(target.key_sha256)
        assert revoked is not None and revoked.revoked_at_ns is not None
        return 200, key_json(revoked) | {"partner": found.id}

    return key.run("operator", {"revoke_partner_key": [found.id, key_id]}, handle)


@router.post(
    "/v1/partner/wallets", status_code=201, responses=answers(201, OpenedWalletObject, 409)
)
def open_partner_wallet(
    body: OpenWallet, ctx: Ctx, partner: WalletsWriter, key: Idempotent
) -> JSONResponse:
    """Open a wallet for one of the partner's users. The response holds the wallet's
    token, shown only once."""

    def make(wallet_id: str) -> dict[str, object]:
        return opened_wallet(ctx, body, wallet_id)[1]

    return enrolled(
        ctx,
        partner,
        MemberKind.wallet,
        key,
        body.model_dump(),
        ctx.wallets.new_wallet_id,
        make,
    )


@router.get("/v1/partner/wallets", responses=answers(200, PartnerWalletList))
def list_partner_wallets(
    ctx: Ctx, partner: WalletsReader, limit: Limit = page_default, starting_after: Cursor = None
) -> dict[str, object]:
    """The partner's wallets, oldest first."""
    return members(ctx, partner, MemberKind.wallet, limit, starting_after)


@router.get("/v1/partner/wallets/{wallet_id}", responses=answers(200, WalletObject, 404))
def get_partner_wallet(wallet_id: str, ctx: Ctx, partner: WalletsReader) -> dict[str, object]:
    """One of the partner's wallets; 404 for any other."""
    return own_member(ctx, partner, MemberKind.wallet, wallet_id)


@router.post(
    "/v1/partner/merchants", status_code=201, responses=answers(201, OnboardedMerchantObject)
)
def onboard_partner_merchant(
    body: OnboardMerchant, ctx: Ctx, partner: MerchantsWriter, key: Idempotent
) -> JSONResponse:
    """Onboard a merchant the partner acquired. The response holds the merchant's API
    key, shown only once."""

    def make(merchant_id: str) -> dict[str, object]:
        return onboarded(ctx, body, merchant_id)[1]

    return enrolled(
        ctx,
        partner,
        MemberKind.merchant,
        key,
        body.model_dump(),
        ctx.merchants.new_merchant_id,
        make,
    )


@router.get("/v1/partner/merchants", responses=answers(200, PartnerMerchantList))
def list_partner_merchants(
    ctx: Ctx, partner: MerchantsReader, limit: Limit = page_default, starting_after: Cursor = None
) -> dict[str, object]:
    """The partner's merchants, oldest first."""
    return members(ctx, partner, MemberKind.merchant, limit, starting_after)


@router.get("/v1/partner/merchants/{merchant_id}", responses=answers(200, MerchantObject, 404))
def get_partner_merchant(merchant_id: str, ctx: Ctx, partner: MerchantsReader) -> dict[str, object]:
    """One of the partner's merchants; 404 for any other."""
    return own_member(ctx, partner, MemberKind.merchant, merchant_id)


@router.get("/v1/partner/payments", responses=answers(200, PaymentList))
def list_partner_payments(
    ctx: Ctx, partner: PaymentsReader, limit: Limit = page_default, starting_after: Cursor = None
) -> dict[str, object]:
    """Payments the partner's wallets made or its merchants received, newest first."""
    after = None
    if starting_after is not None:
        cursor = record_by_ref(ctx, starting_after)
        if cursor is None or not own_payment(ctx, partner, cursor):
            raise ApiError(
                400,
                "parameter_invalid",
                f"starting_after: no payment {starting_after} in this list",
                param="starting_after",
            )
        after = cursor.id
    ids = service(ctx).store.payment_ids(partner.id, after, limit + 1)
    records = ctx.payments.records
    found = [records.by_id(i) for i in ids] if records is not None else []
    kept = [r for r in found if r is not None]
    transfers = {t.id: t for t in ctx.ledger.lookup_transfers([r.id for r in kept])}
    shown = [(r, transfers[r.id]) for r in kept if r.id in transfers]
    paid = cross_border_records(ctx, [t for _, t in shown])
    return listed([payment_json(ctx, t, r, paid) for r, t in shown], limit)


@router.get("/v1/partner/payments/{payment_id}", responses=answers(200, PaymentObject, 404))
def get_partner_payment(payment_id: str, ctx: Ctx, partner: PaymentsReader) -> dict[str, object]:
    """A payment one of the partner's wallets made or merchants received; 404 otherwise."""
    record = record_by_ref(ctx, payment_id)
    shown = shown_payment(ctx, record) if own_payment(ctx, partner, record) else None
    if shown is None:
        raise missing("payment", payment_id, "payment_id")
    return shown
