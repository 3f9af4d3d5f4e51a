"""`colony serve`: the HTTP API and web page, on the embedded default or a named database."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import random
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from colony.api.answer_retention import sweep_in_background
from colony.api.app import PaymentsEdge, served_app
from colony.api.context import ApiContext
from colony.api.forwarded_payments import PaymentForwarding
from colony.api.gather import payment_gather_s
from colony.api.rate_limit import RateLimiter, address_share, rate_limit_per_s
from colony.api.sql_store import open_api_store
from colony.cli import demo_data, fx_commands
from colony.cli.coalesced_writes import CoalescedWritesProtocol
from colony.cli.finite import finite
from colony.cli.ledger_commands import DatabaseOption, fail
from colony.credentials import CredentialService, argon2_hasher, open_credential_store
from colony.credit import (
    CreditScores,
    LineService,
    Model,
    default_model,
    load_model,
    open_line_store,
    open_score_store,
)
from colony.disputes import ComplaintService, DisputeService, Outcomes, open_complaint_store
from colony.donations import DonationService, open_cause_store
from colony.kernel import heap
from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import ColonyError
from colony.kernel.ids import IdGenerator
from colony.kernel.one_keeper import KeptByOne
from colony.loans import Lenders, LoanService, MerchantLoans, open_loan_store
from colony.merchants import (
    MerchantService,
    MerchantUserService,
    SuspensionNotices,
    TakingsBook,
    open_merchant_store,
    open_merchant_user_store,
)
from colony.partners import Clearing, PartnerService, open_partner_store
from colony.payments import (
    PaymentCodeVerifier,
    PaymentService,
    open_device_store,
    open_payment_store,
)
from colony.phones import (
    CODE_PEPPER_PURPOSE,
    EmailOutboxSender,
    OutboxSender,
    PhoneProofService,
    open_phone_store,
)
from colony.risk import (
    Counters,
    FeatureStore,
    FraudModel,
    RiskCheck,
    SharedCounters,
    counter_calls,
    default_fraud_model,
    load_fraud_model,
    open_assessment_store,
)
from colony.staff import StaffRoster, StaffService, open_staff_store
from colony.storage.open import database_url_from_env, is_postgres
from colony.storage.secrets_key import secret_box_for
from colony.wallets import (
    FundingService,
    MoneyRequests,
    WalletService,
    open_funding_store,
    open_request_store,
    open_wallet_store,
)
from colony.web.console_access import AUDIENCE as CONSOLE_AUDIENCE
from colony.web.sessions import open_session_store
from colony.web.shell import CSRF_KEY_PURPOSE, Shell
from colony.webhooks import (
    HttpSender,
    Sender,
    WebhookDispatcher,
    WebhookTargets,
    announce_status,
    delivery_timeout_s,
    open_webhook_store,
)
from colony.workers import ElectedLedger

# The development setting that lets webhooks go to loopback ("1"); off unless set, and set by
# `colony serve --allow-loopback-webhooks` for its own processes (workers inherit it).
ALLOW_LOOPBACK_WEBHOOKS_ENV = "COLONY_WEBHOOKS_ALLOW_LOOPBACK"
# A trained scorecard's JSON file for credit scores, instead of the one Colony ships.
CREDIT_MODEL_ENV = "COLONY_CREDIT_MODEL"
RISK_MODEL_ENV = "COLONY_RISK_MODEL"


def webhook_targets_from_env() -> WebhookTargets:
    return WebhookTargets(allow_loopback=os.environ.get(ALLOW_LOOPBACK_WEBHOOKS_ENV) == "1")


def _risk_counters(ledger: ElectedLedger) -> Counters | None:
    """Risk control's counters: this process's own (None) when it serves alone; else the
    ones the ledger's writer holds for every worker (docs/adr/0068), each worker's own
    store answering while it is the writer."""
    if not ledger.serves_followers:
        return None
    ledger.share(counter_calls(FeatureStore()))
    return SharedCounters(ledger.shared_call, ledger.shared_call_later)


def build_context(
    database_url: str, clock: Clock | None = None, *, ledger: ElectedLedger | None = None
) -> ApiContext:
    """Open every store the API needs on one database (`sqlite:///PATH` or `postgresql://`);
    tests pass a clock.

    `ledger`: this worker's place in the writer election (`colony serve --workers N`); by
    default the process must be the only writer of the database.
    """
    clock = clock or SystemClock()
    if ledger is None:
        ledger = ElectedLedger(database_url, clock, address=None)
    # One process serving the database alone keeps the frozen wallets' ids in memory: every
    # freeze and unfreeze goes through it (docs/adr/0088); with followers, the ledger's
    # writer keeps them and makes every freeze (docs/adr/0099), the others read.
    wallet_store = open_wallet_store(database_url, alone=not ledger.serves_followers)
    ids = IdGenerator(clock, random.SystemRandom())
    wallets = WalletService(ledger, wallet_store, clock, ids)
    # Suspended merchants likewise (docs/adr/0114).
    merchant_store = open_merchant_store(database_url, alone=not ledger.serves_followers)
    merchants = MerchantService(ledger, merchant_store, clock, ids)
    records = open_payment_store(database_url)
    partner_store = open_partner_store(database_url)
    clearing = Clearing(ledger, partner_store)
    payments = PaymentService(
        ledger, wallets, wallet_store, merchants, ids, records, clock, clearing
    )
    webhook_store = open_webhook_store(database_url)
    api_store = open_api_store(
        database_url, shared_claims=ledger.serves_followers, claims=ledger.key_claims()
    )
    if ledger.serves_followers:
        kept_by_the_writer(ledger, wallet_store, merchant_store, api_store)
    ctx = ApiContext(
        ledger,
        wallets,
        wallet_store,
        api_store,
        clock,
        merchants,
        payments,
        webhook_store,
        webhook_targets=webhook_targets_from_env(),
    )
    device_store = open_device_store(database_url)
    ctx.code_verifier = PaymentCodeVerifier(device_store)
    funding_store = open_funding_store(database_url)
    ctx.funding = FundingService(ledger, wallets, funding_store, clock, ids)
    ctx.partners = PartnerService(partner_store, clock, ids)
    ctx.steps_on_loop = not is_postgres(database_url)
    if ledger.serves_followers:
        ctx.forwarding = PaymentForwarding(ledger)
    ctx.table_stores = [
        partner_store,
        wallet_store,
        merchant_store,
        records,
        webhook_store,
        device_store,
        funding_store,
    ]
    ctx.fx = fx_commands.quote_service(database_url, clock)  # rates: $COLONY_FX_RATES_FILE
    ctx.table_stores.append(ctx.fx.store)
    # Products added since register here, each its service and the stores it closes.
    cause_store = open_cause_store(database_url)
    ctx.provide(DonationService(ledger, wallets, cause_store, clock, ids), cause_store)
    phone_store = open_phone_store(database_url)
    sender = OutboxSender(phone_store, clock, ids)
    show_sms_log()
    pepper = secret_box_for(database_url).derived_key(CODE_PEPPER_PURPOSE)
    mailer = EmailOutboxSender(phone_store, clock, ids)
    proofs = PhoneProofService(
        phone_store, sender, clock, secrets.token_bytes, pepper, mailer=mailer
    )
    ctx.provide(proofs, phone_store)
    request_store = open_request_store(database_url)
    requests = MoneyRequests(wallets, wallet_store, request_store, clock, ids, sender.send)
    ctx.provide(requests, request_store)
    credential_store = open_credential_store(database_url)
    credentials = CredentialService(credential_store, clock, argon2_hasher())
    ctx.provide(credentials, credential_store)
    score_store = open_score_store(database_url)
    scores = CreditScores(ledger, score_store, credit_model(), clock, ids)
    ctx.provide(scores, score_store)
    loan_store = open_loan_store(database_url)
    lenders = Lenders(ledger, wallets, loan_store, clock)
    ctx.provide(lenders)
    ctx.provide(LoanService(ledger, wallets, scores, lenders, loan_store, clock), loan_store)
    takings = TakingsBook(ledger)
    ctx.provide(takings)
    merchant_loans = MerchantLoans(ledger, scores, lenders, loan_store, takings, clock)
    merchant_loans.suspended = merchants.is_suspended  # a suspended shop borrows nothing
    scores.merchant_repayments = merchant_loans.repayment_record  # its loans move its score
    ctx.provide(merchant_loans)
    line_store = open_line_store(database_url)
    lines = LineService(ledger, wallets, wallet_store, line_store, scores.score_wallet, clock, ids)
    payments.credit_lines = lines  # a payment may be paid with the credit line
    assessment_store = open_assessment_store(database_url)
    # Every payment scored first (ADR 0055), the fraud model's score among the rules (0059).
    payments.risk = RiskCheck.with_store(
        assessment_store, model=risk_model(), features=_risk_counters(ledger)
    )
    wallets.risk = payments.risk  # P2P transfers and withdrawals too, on the same counters
    ctx.provide(payments.risk, assessment_store)
    scores.repayments = lines.repayment_record  # a late bill moves the score
    ctx.provide(lines, line_store)
    complaint_store = open_complaint_store(database_url)
    complaints = ComplaintService(
        ledger, merchants, records, webhook_store, complaint_store, clock, ids
    )
    complaints.filed.append(payments.risk.complained)  # merchant risk counts complaints
    scores.merchant_complaints = complaint_store.count_received  # and its credit score
    ctx.provide(complaints, complaint_store)
    outcomes = Outcomes(ledger, wallets, wallet_store, merchants, payments, complaint_store, clock)
    ctx.provide(outcomes)
    ctx.provide(DisputeService(ledger, merchants, records, outcomes, complaint_store, clock, ids))
    shell = web_shell(database_url, clock)
    ctx.provide(shell, shell.sessions)
    staff_store = open_staff_store(database_url)
    staff = StaffService(staff_store, credentials, clock, ids)
    ctx.provide(staff, staff_store)
    ctx.provide(StaffRoster(staff, staff_store, credentials, clock, _console_sessions_ender(shell)))
    user_store = open_merchant_user_store(database_url)
    users = MerchantUserService(user_store, merchants.by_id, clock, ids, sender.send)
    ctx.provide(users, user_store)
    announce = functools.partial(announce_status, webhook_store)
    ctx.provide(SuspensionNotices(users, sender.send, announce))
    ledger.add_duty(lambda: reconcile(ctx))
    return ctx


def kept_by_the_writer(ledger: ElectedLedger, *stores: KeptByOne) -> None:
    """Among workers, the ledger's writer keeps frozen wallets, suspended merchants and valid
    wallet tokens in memory as one process serving alone does, and every freeze, unfreeze,
    suspension, reinstatement and revocation, whichever worker was asked, is made there
    (docs/adr/0099, 0114): the payments it serves for every worker read none of those
    tables."""
    for store in stores:
        ledger.share(store.changes_made_here())
        store.make_changes_via(ledger.shared_call)
        ledger.add_duty(store.keep_in_memory)


def credit_model() -> Model:
    """The scorecard credit scores use: the JSON file $COLONY_CREDIT_MODEL names (trained by
    `colony credit train`), else the one Colony ships (docs/adr/0046)."""
    path = os.environ.get(CREDIT_MODEL_ENV)
    return load_model(Path(path)) if path else default_model()


def risk_model() -> FraudModel:
    """The fraud model risk control scores with: the JSON file $COLONY_RISK_MODEL names
    (trained by `colony risk train`), else the one Colony ships (docs/adr/0059)."""
    path = os.environ.get(RISK_MODEL_ENV)
    return load_fraud_model(Path(path)) if path else default_fraud_model()


def _console_sessions_ender(shell: Shell) -> Callable[[str], int]:
    """Ends a staff member's console sessions (a disabled member, a reset TOTP)."""
    return lambda staff_id: shell.sessions.end_all(CONSOLE_AUDIENCE, staff_id)


def web_shell(database_url: str, clock: Clock) -> Shell:
    """The screens' shell: sessions in the database, forms' CSRF tokens keyed by the
    secrets key. Cookies say Secure when COLONY_SECURE_COOKIES=1 (served behind TLS)."""
    return Shell(
        open_session_store(database_url),
        clock,
        secret_box_for(database_url).derived_key(CSRF_KEY_PURPOSE),
        secure_cookies=os.environ.get("COLONY_SECURE_COOKIES") == "1",
    )


def show_sms_log() -> None:
    """Print the outboxes' log lines (a text or a mail was queued, never its words) on the
    server's stderr, as uvicorn prints its own: the server otherwise shows only warnings."""
    for name in ("colony.sms", "colony.email"):
        outbox_log = logging.getLogger(name)
        if not outbox_log.handlers:
            shown = logging.StreamHandler()
            shown.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
            outbox_log.addHandler(shown)
            outbox_log.setLevel(logging.INFO)


def reconcile(ctx: ApiContext) -> Callable[[], None]:
    """Finish whatever a crash interrupted, before serving anyone: the writer's first duty,
    done once each time a process becomes the writer (it leaves nothing running)."""
    ctx.wallets.reconcile()
    assert ctx.funding is not None
    ctx.funding.reconcile()
    ctx.service(ComplaintService).announce_again()
    return lambda: None


def server_duties(ctx: ApiContext, ledger: ElectedLedger) -> None:
    """What only the writer of a running server does, whichever process it is: relay webhooks
    and forget old Idempotency-Key answers (docs/adr/0080)."""
    ledger.add_duty(lambda: webhook_relay(ctx))
    ledger.add_duty(lambda: sweep_in_background(ctx.api_store, ctx.clock))


def webhook_relay(ctx: ApiContext) -> Callable[[], None]:
    """The writer's duty of relaying webhooks (only one process may): start it, return how
    to stop it."""
    sender = HttpSender(ctx.webhook_targets)
    stop_relay = threading.Event()
    relay = webhook_dispatcher(ctx, sender).run_in_background(stop_relay)

    def stop() -> None:
        stop_relay.set()
        relay.join(timeout=delivery_timeout_s * 2)
        sender.close()

    return stop


def webhook_dispatcher(ctx: ApiContext, sender: Sender) -> WebhookDispatcher:
    """The outbox relay for this context's ledger and webhook store."""
    return WebhookDispatcher(ctx.ledger, ctx.merchants.by_id, ctx.webhook_store, ctx.clock, sender)


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before the URL is printed: port 0 gets a free port, and the
    printed URL answers at once (connections wait in the backlog while uvicorn starts)."""
    return bound_socket(host, port, listen=True)


def reuse_address(sock: socket.socket, *, port_too: bool) -> None:
    """Bind where a closed server's connections still linger; with `port_too`, beside other
    sockets at the same address (`SO_REUSEPORT`: each worker its own, docs/adr/0097)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port_too:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)


def bound_socket(
    host: str,
    port: int,
    *,
    listen: bool,
    kind: type[socket.socket] = socket.socket,
    reuse_port: bool = False,
) -> socket.socket:
    """A TCP socket of `kind` at `host` (IPv6 when it holds a colon) and `port`, bound and
    listening if asked; closed again if any of it fails (the port taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = kind(family, socket.SOCK_STREAM)
    try:
        reuse_address(sock, port_too=reuse_port)
        sock.bind((host, port))
        if listen:
            sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


# Most worker processes `colony serve --workers` starts (each one is a Python process).
workers_max = 32
# The longest `--payment-gather-ms` allowed: a payment's answer waits up to it.
payment_gather_ms_max = 50.0


def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Seed demo data (once per database); print credentials to try it."
        ),
    ] = False,
    address_rate_limit: Annotated[
        int,
        typer.Option(
            min=1,
            help="Requests/s allowed from one client address, burst twice it (a load "
            "generator on loopback needs more).",
        ),
    ] = rate_limit_per_s * address_share,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=workers_max,
            help="API worker processes. One of them, elected, writes the ledger (and, with "
            "two or more, serves no HTTP); the others serve HTTP and send it their payments.",
        ),
    ] = 1,
    payment_gather_ms: Annotated[
        float,
        typer.Option(
            callback=finite,
            min=0,
            max=payment_gather_ms_max,
            help="How long, in milliseconds, a payment waits for the payments arriving "
            "after it, to be served together (less CPU a payment; 0: each at once).",
        ),
    ] = payment_gather_s * 1000,
    allow_loopback_webhooks: Annotated[
        bool,
        typer.Option(
            "--allow-loopback-webhooks",
            envvar=ALLOW_LOOPBACK_WEBHOOKS_ENV,
            help="Development only: let merchants' webhooks go to this machine's loopback "
            "addresses (private and metadata addresses stay refused).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web page."""
    database_url = database_url_from_env(database)
    if allow_loopback_webhooks:
        os.environ[ALLOW_LOOPBACK_WEBHOOKS_ENV] = "1"  # for build_context, here and in workers
    from colony.cli import serve_workers  # here: it imports this module

    try:
        sock = (
            serve_workers.port_for_workers(host, port)
            if workers > 1
            else listening_socket(host, port)
        )
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}"
    if workers > 1:
        try:
            serve_workers.run(
                database_url, sock, url, workers, demo, address_rate_limit, payment_gather_ms
            )
        except ColonyError as exc:
            raise fail(str(exc)) from None
        return
    try:
        ctx = build_context(database_url)
    except ColonyError as exc:
        raise fail(str(exc)) from None
    serving_alone(ctx, address_rate_limit, payment_gather_ms)
    close = closing_once(ctx)
    try:
        announce(url, demo_data.seed(ctx) if demo else None)
        edge = served_app(ctx)
        closed_as_served(edge, close, "Colony has stopped: its ledger and stores are closed.")
        config = uvicorn.Config(
            edge, log_level="warning", access_log=False, http=CoalescedWritesProtocol
        )
        heap.settle()  # started: what the heap holds now stays (kernel/heap.py)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        close()  # here too: Ctrl-C before the server started, or a start that failed


def closing_once(ctx: ApiContext) -> Callable[[], None]:
    """Closing `ctx`'s ledger and stores, done by the first of those who call it."""
    lock = threading.Lock()
    done = False

    def close() -> None:
        nonlocal done
        with lock:
            if done:
                return
            done = True
        try:
            ctx.ledger.close()
        finally:
            ctx.close_stores()

    return close


def closed_as_served(edge: PaymentsEdge, close: Callable[[], None], stopped: str) -> None:
    """Run `close` as the app's lifespan ends, then print `stopped`: the last step of
    uvicorn's graceful stop, once every request is answered, whichever signal asked for it
    (docs/adr/0103). After a SIGTERM uvicorn raises it again with the default handler, which
    ends the process at once, before any `finally` or `atexit` of ours: closing there
    alone, the last risk assessments written behind and the ledger's last checkpoint were
    lost at every stop by a service manager, and at every stop of `--workers` (whose
    supervisor stops its workers with SIGTERM)."""
    app = edge.app
    started = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(running: Any) -> AsyncIterator[Any]:
        try:
            async with started(running) as state:
                yield state
        finally:
            close()  # blocks the loop: nothing is left for it to do
            typer.echo(stopped)

    app.router.lifespan_context = lifespan


def serving_alone(ctx: ApiContext, address_rate_limit: int, payment_gather_ms: float) -> None:
    """What one process serving the database alone sets up before it serves `ctx` (`colony
    serve`, and `colony bench in-process`, which must measure the same): the writer's duties,
    one address's limit (requests/s, burst twice it) and the payment gate."""
    ledger = ctx.ledger
    assert isinstance(ledger, ElectedLedger)
    server_duties(ctx, ledger)
    ctx.address_limiter = RateLimiter(ctx.clock, address_rate_limit, 2 * address_rate_limit)
    ctx.payment_gather_s = payment_gather_ms / 1000


def announce(url: str, seeded: demo_data.DemoSeed | None) -> None:
    if seeded is not None:
        typer.echo(demo_data.instructions(seeded, url) + "\n")
    typer.echo(f"Colony is serving on {url}/ (API docs at {url}/docs); Ctrl-C stops it.")
    typer.echo(f"The wallet app: {url}/app (sign-in codes go to the SMS outbox).")
