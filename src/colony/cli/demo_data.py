"""`colony serve --demo`: a small market seeded through the domain services, and credentials.

Unlike `colony demo` (demo.py, a ledger story that runs and exits), this seeds the records a
running server serves: wallets in Singapore and Rovaniemi, a funding partner per currency,
three merchants, QR payments, authorisations and a refund, and the two stories of
cross-border payments: a tourist from Shanghai paying a Lapland gift shop from a CNY wallet
(the shop is paid in EUR), and a Manila user of one partner wallet paying, in PHP, a
Singapore satay stall that another partner acquired, in SGD. All of it goes through the
domain services, so every limit, fee, FX quote and clearing leg applies as in production.

The FX stories need a rate for today. The ECB history that ships with the package ends on
the package's release day, which the age limit (ADR 0013) soon calls stale; the demo then
accepts the newest shipped rates however old, says so when it starts, and every quote still
carries the rate's own date and source. An operator's rates file is used instead when set.

Seeding is idempotent: wallets are found by phone number, money movements by their fixed
ledger ids (looked up before anything is submitted), merchants by the idempotency record of
their onboarding. The credentials are new on every start (docs/adr/0008): a secret is stored
only as its hash, so the one printed yesterday cannot be printed again.
"""

from __future__ import annotations

import json
import secrets
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from colony.api import auth, idempotency
from colony.api.context import ApiContext
from colony.cli import demo_history
from colony.cli.fx_commands import RATES_FILE_ENV
from colony.fx import QuoteResult, QuoteService, RateResult, rate_age_max_days
from colony.ledger import TransferPendingStatus
from colony.loans import LenderResult, Lenders
from colony.merchants import Merchant, MerchantUserService
from colony.merchants import Role as MerchantRole
from colony.partners import MemberKind
from colony.payments import CrossBorderPayments, PayResult
from colony.staff import Role, StaffMember, StaffResult, StaffService
from colony.wallets import Tier, Wallet, WalletResult

DEMO_SCOPE = "demo"  # the idempotency scope of the seed's own records
# The console's demo staff member (operations: may do everything the console offers).
DEMO_STAFF_EMAIL = "ops@colony.example"
# Random bytes in the demo staff member's password (base64: 16 characters).
demo_password_bytes = 12
_PENDING = TransferPendingStatus.pending


@dataclass(frozen=True)
class DemoPerson:
    key: str
    phone: str
    name: str
    currency: str
    tier: Tier


@dataclass(frozen=True)
class DemoMerchant:
    key: str
    legal_name: str
    display_name: str
    mcc: str  # ISO 18245
    country: str
    city: str
    currency: str
    discount_bps: int


ALICE = DemoPerson("alice", "+6591234567", "Alice Tan", "SGD", Tier.identity_verified)
BALA = DemoPerson("bala", "+6598765432", "Bala Raman", "SGD", Tier.phone_only)
# The hawker stall's owner, who signs in to the merchant portal (`/merchant`).
HAWKER_OWNER_PHONE, HAWKER_OWNER_NAME = "+6590008888", "Chan Hon Meng"
HAWKER_OWNER_EMAIL = "chan@hawker-chan.example"
AINO = DemoPerson("aino", "+358401234567", "Aino Virtanen", "EUR", Tier.identity_verified)
# A Manila user of a partner wallet, paying in PHP in Singapore at another partner's merchant.
MARIA = DemoPerson("maria", "+639171234567", "Maria Santos", "PHP", Tier.identity_verified)
# A tourist from Shanghai in Lapland, paying from a CNY wallet a shop paid in EUR.
LI_WEI = DemoPerson("liwei", "+8613812345678", "Li Wei", "CNY", Tier.identity_verified)
PEOPLE = (ALICE, BALA, AINO, LI_WEI)

HAWKER = DemoMerchant(
    "hawker", "Hawker Chan Pte Ltd", "Hawker Chan", "5812", "SG", "Singapore", "SGD", 150
)
KOPI = DemoMerchant("kopi", "Kopi Corner LLP", "Kopi Corner", "5814", "SG", "Singapore", "SGD", 100)
GIFTS = DemoMerchant(
    "gifts", "Aurora Gifts Oy", "Aurora Gifts", "5947", "FI", "Rovaniemi", "EUR", 200
)
MERCHANTS = (HAWKER, KOPI, GIFTS)
SATAY = DemoMerchant(
    "satay", "Lau Pa Sat Satay Pte Ltd", "Lau Pa Sat Satay", "5812", "SG", "Singapore", "SGD", 180
)


@dataclass(frozen=True)
class DemoWalletPartner:
    """A partner wallet or acquirer: a tenant with its own users and merchants (ADR 0017)."""

    key: str
    name: str
    brand: str
    country: str
    currency: str


BAYANIHAN = DemoWalletPartner("bayanihan", "Bayanihan Pay Inc.", "Bayanihan Pay", "PH", "PHP")
MERLION = DemoWalletPartner("merlion", "Merlion Acquiring Pte Ltd", "Merlion Pay", "SG", "SGD")

# One funding partner (a bank) per currency: (name, currency).
# The bank that funds loans in the demo (name, currency, its share of interest in basis
# points), and the capital it pays in once: SGD 1,000,000.00.
DEMO_LENDER = ("harbour_bank", "SGD", 6_000)
DEMO_LENDER_CAPITAL_MINOR = 100_000_000
PARTNERS = (("lion_city_bank", "SGD"), ("aurora_bank", "EUR"), ("pudong_bank", "CNY"))


@dataclass(frozen=True)
class DemoSeed:
    """What a newcomer needs to try the API: three credentials and the records they name."""

    operator_key: str
    wallet: Wallet
    wallet_token: str
    merchant: Merchant
    merchant_key: str
    static_qr: str  # the merchant's static code: the payer types the amount
    open_authorisation: str | None  # "pay_..." waiting for the merchant's capture, if any
    # The age limit of FX rates, in days, when the demo widened it to use the shipped ones.
    rate_age_days: int | None = None
    # The operator console's demo staff member, and their password for this start.
    staff: StaffMember | None = None
    staff_password: str = ""
    # The merchant owner's phone number, to sign in to the portal with.
    owner_phone: str = HAWKER_OWNER_PHONE


def ledger_id(name: str) -> int:
    """The fixed ledger id of one of the seed's money movements."""
    return idempotency.transfer_id_for(DEMO_SCOPE, name)


@dataclass(frozen=True)
class DemoMarket:
    """The seeded market's records, by their keys (`alice`, `hawker`, ...)."""

    wallets: dict[str, Wallet]
    merchants: dict[str, Merchant]
    rate_age_days: int | None  # as DemoSeed's


def seed_market(ctx: ApiContext) -> DemoMarket:
    """Seed the demo market, once: people (with their weeks before today, into a new
    ledger), merchants, partners and their money."""
    demo_history.import_history(ctx, (ALICE.phone, ALICE.name), (BALA.phone, BALA.name))
    wallets = {p.key: _wallet(ctx, p) for p in PEOPLE}
    merchants = {m.key: _merchant(ctx, m) for m in MERCHANTS}
    assert ctx.funding is not None, "build_context sets ctx.funding"
    for partner, currency in PARTNERS:
        # With its record, so the app offers it for top-ups (the ledger account alone does not).
        _ok(ctx.funding.register_partner(partner, "bank", currency)[0])
    _money(ctx, merchants)
    _lender(ctx)
    rate_age_days = _rates_for_today(ctx)
    _shanghai_to_lapland(ctx, wallets["liwei"], merchants["gifts"])
    _across_partners(ctx)
    return DemoMarket(wallets, merchants, rate_age_days)


def seed(ctx: ApiContext) -> DemoSeed:
    """Seed the demo market (once) and make new credentials for trying the API."""
    market = seed_market(ctx)
    wallets, merchants = market.wallets, market.merchants
    now = ctx.clock.now_ns()
    operator_key = auth.new_secret(ctx, auth.OPERATOR_KEY_PREFIX)
    ctx.api_store.add_key(auth.digest(operator_key), "operator", "operator", now)
    wallet_token = auth.new_secret(ctx, auth.WALLET_TOKEN_PREFIX)
    ctx.api_store.add_token(auth.digest(wallet_token), wallets["alice"].id, now)
    merchant_key = auth.new_secret(ctx, auth.MERCHANT_KEY_PREFIX)
    ctx.api_store.add_key(auth.digest(merchant_key), "merchant", merchants["hawker"].id, now)
    # Once per database: a second start finds the number taken, by the same owner.
    ctx.service(MerchantUserService).add(
        merchants["hawker"].id,
        HAWKER_OWNER_PHONE,
        HAWKER_OWNER_NAME,
        MerchantRole.owner.value,
        HAWKER_OWNER_EMAIL,
    )
    held = ledger_id("authorise:alice:hawker")
    still_held = ctx.ledger.pending_status(held) is TransferPendingStatus.pending
    staff, staff_password = _staff(ctx)
    return DemoSeed(
        operator_key,
        wallets["alice"],
        wallet_token,
        merchants["hawker"],
        merchant_key,
        ctx.payments.merchant_qr(merchants["hawker"]),
        f"pay_{held:032x}" if still_held else None,
        market.rate_age_days,
        staff,
        staff_password,
    )


def _staff(ctx: ApiContext) -> tuple[StaffMember, str]:
    """The demo staff member, made once, with a new password at every start (only its hash is
    kept); their TOTP secret stays, so an authenticator app set up once keeps working."""
    service = ctx.service(StaffService)
    password = secrets.token_urlsafe(demo_password_bytes)
    member = service.by_email(DEMO_STAFF_EMAIL)
    if member is None:
        result, member = service.create(DEMO_STAFF_EMAIL, "Olli Ops", Role.operations, password)
    else:
        result = service.set_password(member, password)
    if member is None or result is not StaffResult.ok:
        raise RuntimeError(f"demo staff member refused: {result.name}")
    return member, password


def quotes(ctx: ApiContext) -> QuoteService:
    if ctx.fx is None:
        raise RuntimeError("build_context sets ctx.fx")
    return ctx.fx


def _rates_for_today(ctx: ApiContext) -> int | None:
    """Widen the rates' age limit to the newest shipped rate's age if today's are stale (see
    the module's docstring): the new limit in days, or None if the rates were fresh."""
    rates = quotes(ctx).rates
    answer = quotes(ctx).rate("PHP", "SGD")
    if answer.result is not RateResult.rate_stale or answer.rate is None:
        return None
    rates.max_age_days = (quotes(ctx).today() - answer.rate.date).days + rate_age_max_days
    return rates.max_age_days


def _pay_with_quote(
    ctx: ApiContext, wallet: Wallet, merchant: Merchant, amount_minor: int, name: str, what: str
) -> None:
    """Quote the merchant's amount in the wallet's currency and pay with it, once."""
    pid = ledger_id(name)
    if ctx.ledger.lookup_transfers([pid]):
        return
    fx = quotes(ctx)
    quoted = fx.quote(wallet.id, wallet.currency, merchant.currency, buy_amount_minor=amount_minor)
    if quoted.result is not QuoteResult.ok or quoted.quote is None:
        raise RuntimeError(f"demo quote refused: {quoted.result.name} {quoted.detail}")
    cross = CrossBorderPayments(ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, fx)
    code = ctx.payments.merchant_qr(merchant, amount_minor)
    _paid(cross.pay(wallet, code, quoted.quote.id, None, pid, description=what).result)


def _shanghai_to_lapland(ctx: ApiContext, li_wei: Wallet, gifts: Merchant) -> None:
    """Li Wei tops up CNY 1,000.00 from her bank, buys a reindeer mug at Aurora Gifts for EUR
    34.90 with a quote, and is refunded EUR 10.00 (it was chipped) at the payment's rate."""
    top_up = ledger_id("top-up:liwei")
    if not ctx.ledger.lookup_transfers([top_up]):
        held = ctx.wallets.request_top_up(li_wei.phone, "CNY", "pudong_bank", 100_000, top_up)
        _ok(held.result)
    if ctx.ledger.pending_status(top_up) is _PENDING:
        _ok(ctx.wallets.settle_top_up(top_up, confirmed=True))
    _pay_with_quote(ctx, li_wei, gifts, 3_490, "pay:liwei:gifts", "reindeer mug")
    refund = ledger_id("refund:liwei:gifts")
    if not ctx.ledger.lookup_transfers([refund]):
        cross = CrossBorderPayments(
            ctx.ledger, ctx.payments, ctx.wallets, ctx.wallet_store, quotes(ctx)
        )
        (paid,) = ctx.ledger.lookup_transfers([ledger_id("pay:liwei:gifts")])
        _paid(cross.refund(paid, 1_000, refund).result)


def _wallet(ctx: ApiContext, person: DemoPerson) -> Wallet:
    result, wallet = ctx.wallets.open_wallet(person.phone, person.name, person.currency)
    if result is WalletResult.phone_taken:
        wallet = ctx.wallet_store.by_phone(person.phone, person.currency)
    if wallet is None:
        raise RuntimeError(f"demo wallet {person.key}: {result.name}")
    if person.tier is Tier.identity_verified and wallet.tier < person.tier:
        _ok(ctx.wallets.verify_identity(wallet.id))
    return wallet


def _once(ctx: ApiContext, name: str, make: Callable[[], str | None]) -> str:
    """Make a record with a random id once: the idempotency record keeps its id for the next
    start. `make` returns the new record's id, or None if it was refused."""

    def handle() -> tuple[int, dict[str, object]]:
        made = make()
        if made is None:
            raise RuntimeError(f"demo {name} refused")
        return 201, {"id": made}

    answer = idempotency.run(ctx.api_store, ctx.clock, DEMO_SCOPE, name, {"make": name}, handle)
    return str(json.loads(bytes(answer.body))["id"])


def _merchant(ctx: ApiContext, m: DemoMerchant) -> Merchant:
    def onboard() -> str | None:
        merchant = ctx.merchants.onboard(
            m.legal_name, m.display_name, m.mcc, m.country, m.city, m.currency, m.discount_bps
        )[1]
        return None if merchant is None else merchant.id

    found = ctx.merchants.by_id(_once(ctx, f"merchant:{m.key}", onboard))
    if found is None:
        raise RuntimeError(f"demo merchant {m.key} is recorded but missing")
    return found


def _across_partners(ctx: ApiContext) -> None:
    """Maria, a Bayanihan Pay user from Manila, pays in PHP a satay stall that Merlion Pay
    acquired in Singapore, in SGD: the platform routes it, quotes it, and books what each
    partner owes (Bayanihan owes the house pesos, the house owes Merlion dollars)."""
    partners = ctx.partners
    assert partners is not None, "build_context sets ctx.partners"
    ids = {}
    for p in (BAYANIHAN, MERLION):

        def create(p: DemoWalletPartner = p) -> str | None:
            made = partners.create(p.name, p.brand, p.country, p.currency)[1]
            return None if made is None else made.id

        ids[p.key] = _once(ctx, f"partner:{p.key}", create)
    maria, satay = _wallet(ctx, MARIA), _merchant(ctx, SATAY)
    members = (
        (MemberKind.wallet, maria.id, ids[BAYANIHAN.key]),
        (MemberKind.merchant, satay.id, ids[MERLION.key]),
    )
    for kind, member_id, partner_id in members:
        if partners.store.partner_of(kind, member_id) is None:
            partners.enrol(kind, member_id, partner_id)
    if ctx.ledger.lookup_transfers([ledger_id("cash-in:maria:php")]) == []:
        cash_in = ledger_id("cash-in:maria:php")
        _ok(ctx.wallets.cash_in(MARIA.phone, "PHP", 300_000, cash_in).result)
    _pay_with_quote(ctx, maria, satay, 1_250, "pay:maria:satay:php", "satay, 20 sticks")


def _money(ctx: ApiContext, merchants: dict[str, Merchant]) -> None:
    """Every movement has a fixed id and runs only if the ledger does not have it yet."""
    hawker, kopi, gifts = merchants["hawker"], merchants["kopi"], merchants["gifts"]
    pay = ctx.payments

    def new(name: str) -> int | None:
        tid = ledger_id(name)
        return None if ctx.ledger.lookup_transfers([tid]) else tid

    # Money in: top-ups from the partners (held, then confirmed) and cash at an agent.
    top_ups = ((ALICE, "lion_city_bank", 50_000), (AINO, "aurora_bank", 30_000))
    for person, partner, amount in top_ups:
        top_up = ledger_id(f"top-up:{person.key}")
        if new(f"top-up:{person.key}") is not None:
            held = ctx.wallets.request_top_up(
                person.phone, person.currency, partner, amount, top_up
            )
            _ok(held.result)
        if ctx.ledger.pending_status(top_up) is _PENDING:  # the partner confirms
            _ok(ctx.wallets.settle_top_up(top_up, confirmed=True))
    if (tid := new("cash-in:bala")) is not None:
        _ok(ctx.wallets.cash_in(BALA.phone, BALA.currency, 8_000, tid).result)
    if (tid := new("p2p:alice:bala")) is not None:
        _ok(ctx.wallets.p2p(ALICE.phone, BALA.phone, "SGD", 1_500, tid).result)
    # QR payments: a static code (the payer types the amount) and dynamic ones (fixed amount).
    payments: tuple[tuple[str, DemoPerson, str, int | None, str], ...] = (
        ("pay:alice:hawker", ALICE, pay.merchant_qr(hawker), 550, "chicken rice"),
        ("pay:bala:hawker", BALA, pay.merchant_qr(hawker, 480, "T12"), None, "laksa, table 12"),
        ("pay:bala:kopi", BALA, pay.merchant_qr(kopi, 320), None, "kopi-o and kaya toast"),
        ("pay:alice:kopi", ALICE, pay.merchant_qr(kopi), 260, "teh tarik"),
        ("pay:aino:gifts", AINO, pay.merchant_qr(gifts, 2_590, "R-1042"), None, "reindeer mug"),
    )
    for name, payer, code, typed, what in payments:
        if (pid := new(name)) is not None:
            paid = pay.pay_by_qr(payer.phone, payer.currency, code, typed, pid, description=what)
            _paid(paid.result)
    # A refund in part: a reindeer mug that arrived chipped.
    if (tid := new("refund:aino:gifts")) is not None:
        _paid(pay.refund(ledger_id("pay:aino:gifts"), 500, tid).result)
    # Authorisations: one captured in part, one left for the merchant to capture.
    if (tid := new("authorise:aino:gifts")) is not None:
        code = pay.merchant_qr(gifts, 4_500)
        what = "sled dog postcards, shipped"
        _paid(pay.authorise(AINO.phone, AINO.currency, code, None, tid, description=what).result)
    if ctx.ledger.pending_status(ledger_id("authorise:aino:gifts")) is _PENDING:
        _paid(pay.capture(ledger_id("authorise:aino:gifts"), 3_990).result)
    if (tid := new("authorise:alice:hawker")) is not None:
        code = pay.merchant_qr(hawker, 1_880)
        what = "catering order for four"
        _paid(pay.authorise(ALICE.phone, ALICE.currency, code, None, tid, description=what).result)


def _lender(ctx: ApiContext) -> None:
    """A bank lending in SGD, with capital to lend, so the app's loans can be taken out."""
    lenders = ctx.service(Lenders)
    name, currency, share_bps = DEMO_LENDER
    result, _ = lenders.add(name, currency, share_bps)
    if result is not LenderResult.ok:
        raise RuntimeError(f"the demo lender was refused: {result.name}")
    funded = lenders.fund(name, currency, DEMO_LENDER_CAPITAL_MINOR, "demo-capital")
    if funded is not LenderResult.ok:
        raise RuntimeError(f"the demo lender's capital was refused: {funded.name}")


def _ok(result: WalletResult) -> None:
    if result is not WalletResult.ok:
        raise RuntimeError(f"demo data refused: {result.name}")


def _paid(result: PayResult) -> None:
    if result is not PayResult.ok:
        raise RuntimeError(f"demo payment refused: {result.name}")


def instructions(seeded: DemoSeed, base_url: str) -> str:
    """The credentials and curl commands to print at start-up."""
    wallet_auth = f"Authorization: Bearer {seeded.wallet_token}"
    merchant_auth = f"Authorization: Bearer {seeded.merchant_key}"
    operator_auth = f"Authorization: Bearer {seeded.operator_key}"

    def get(path: str, authorization: str) -> str:
        return f"  curl -s -w '\\n' {shlex.quote(base_url + path)} -H {shlex.quote(authorization)}"

    def post(path: str, authorization: str | None, key: str, body: dict[str, object]) -> str:
        # A fixed Idempotency-Key: running the command twice replays the first answer.
        credential = "" if authorization is None else f" -H {shlex.quote(authorization)}"
        return (
            f"  curl -s -w '\\n' -X POST {shlex.quote(base_url + path)}"
            f"{credential} -H 'Idempotency-Key: {key}'"
            " -H 'Content-Type: application/json'"
            f" -d {shlex.quote(json.dumps(body))}"
        )

    onboard = {
        "legal_name": "Arctic Circle Coffee Oy",
        "display_name": "Arctic Circle Coffee",
        "mcc": "5814",
        "country": "FI",
        "city": "Rovaniemi",
        "currency": "EUR",
        "discount_bps": 120,
    }
    w, m = seeded.wallet, seeded.merchant
    lines = [
        "Demo data is in place. New credentials for this start (stored hashed, shown once):",
        f"  operator key:  {seeded.operator_key}",
        f"  wallet token:  {seeded.wallet_token}  ({w.name}, {w.phone}, {w.currency})",
        f"  merchant key:  {seeded.merchant_key}  ({m.display_name}, {m.city}, {m.currency})",
    ]
    if seeded.staff is not None:
        lines += [
            f"  console:       {base_url}/console  as {seeded.staff.email}, password"
            f" {seeded.staff_password}",
            f"  TOTP secret:   {seeded.staff.totp_secret}  (add it to an authenticator app,"
            " or `oathtool --totp -b` it, for the 6-digit code)",
            "  staff admin:   the console's Staff page is an admin's: make one with `colony staff"
            " create --role admin --email ... --name ...` and the same --database",
        ]
    lines += [
        "",
        f"The merchant portal: {base_url}/merchant: sign in as {m.display_name}'s owner with"
        f" {seeded.owner_phone} and the code texted to it (read from the operator's outbox,"
        f" below), or with {HAWKER_OWNER_EMAIL} and the code mailed to it (the console's email"
        " outbox),"
        " then choose a password:",
        get(f"/v1/sms_outbox?phone={quote(seeded.owner_phone)}&limit=1", operator_auth),
        "",
        "Try the API (amounts are integer minor units: 350 is 3.50 SGD):",
        "  # the wallet and its balance",
        get("/v1/wallets/me", wallet_auth),
        "  # the merchant's static QR code, and the wallet paying it 3.50",
        get("/v1/merchants/me/qr_code", merchant_auth),
        post(
            "/v1/payments",
            wallet_auth,
            "try-pay-1",
            {"payload": seeded.static_qr, "amount_minor": 350},
        ),
    ]
    if seeded.open_authorisation:
        lines += [
            "  # the merchant captures the catering order the wallet authorised",
            post(
                f"/v1/payments/{seeded.open_authorisation}/capture",
                merchant_auth,
                "try-capture-1",
                {},
            ),
        ]
    lines += [
        "  # the operator onboards a merchant (the answer holds its API key)",
        post("/v1/merchants", operator_auth, "try-onboard-1", onboard),
        "  # an FX quote: what EUR 10.00 costs the wallet in SGD, locked for 60 seconds",
        post(
            "/v1/fx/quotes",
            wallet_auth,
            "try-quote-1",
            {"sell_currency": w.currency, "buy_currency": "EUR", "buy_amount_minor": 1_000},
        ),
        "  # a wallet of your own: ask for a code to the number (the default SMS sender",
        "  # writes texts to the operator's outbox), read it there, then POST /v1/wallets",
        '  # {"phone", "name", "currency", "verification": "pv_...", "code": "<6 digits>"}',
        post(
            "/v1/phone_verifications",
            None,  # no credential: anyone may ask for a code to their number
            "try-prove-1",
            {"phone": "+6590001234", "purpose": "open_wallet"},
        ),
        get("/v1/sms_outbox?phone=%2B6590001234&limit=1", operator_auth),
    ]
    if seeded.rate_age_days is not None:
        lines += [
            "",
            f"FX rates: the newest that ship with Colony are older than the usual limit; this"
            f" demo accepts rates up to {seeded.rate_age_days} days old. Load today's with"
            f" ${RATES_FILE_ENV}=rates.csv (date,currency,rate per EUR).",
        ]
    return "\n".join(lines)
