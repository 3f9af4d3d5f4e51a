"""How long the screens take to load on a market of real size: `colony serve` on loopback
over a simulated market's database, and every screen a browser asks for with a GET, of all
three audiences, each signed in as a person would (screens_browsers.py): people in the wallet
app, a staff member in the operator console, and the owner of the busiest merchant in the
merchant portal (screens_market.py gives that merchant a busy today).

Each list that pages by cursor is also asked for its second page (the link the first page
gives), and each search with what it finds. Per screen: load time (p50, p99, max) and the
server's CPU. A figure, not a test: the bar is 300 ms a screen with 100,000 people loaded.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import quote

import httpx

from colony.bench.api_bench import Server
from colony.bench.screens_browsers import (
    Stopwatch,
    Timings,
    app_person,
    link,
    shop_owner,
    staff_member,
)
from colony.bench.screens_market import Prepared, prepare

__all__ = ["Prepared", "market_server_start_timeout_s", "measure", "prepare"]

# How long `colony serve` may take to open a market before its first answer, in seconds: a
# market of 100,000 people over 35 days loads a checkpoint of about 2 GB.
market_server_start_timeout_s = 900.0
# A screen: its name, its address (None: this market has no such page), the status it answers.
Screen = tuple[str, str | None, int]
_PAYMENT = r"/app/payments/[0-9a-f]{32}"
_MOVEMENT = r"/app/activity/[0-9a-f]{32}"


def _app_screens(client: httpx.Client) -> list[Screen]:
    """One person's app screens (the second page of activity and the receipts are the links
    the home screen gives)."""
    home = client.get("/app")
    return [
        ("app: home", "/app", 200),
        ("app: activity, page 2", link(home, r"/app/activity\?before=\d+"), 200),
        ("app: receipt of a payment", link(home, _PAYMENT), 200),
        ("app: receipt of a top-up or transfer", link(home, _MOVEMENT), 200),
        ("app: send", "/app/send", 200),
        ("app: top up", "/app/topup", 200),
        ("app: withdraw", "/app/withdraw", 200),
        ("app: requests", "/app/requests", 200),
        ("app: pay", "/app/pay", 200),
        ("app: payment code", "/app/code", 200),
    ]


def _person_console_screens(staff: httpx.Client, phone: str, wallet_id: str) -> list[Screen]:
    """The console's screens about one person."""
    found = staff.get("/console/wallets", params={"q": phone})
    paid = f"/console/payments?q={wallet_id}"
    # A person who never paid is answered "no payment" (404), as the console shows it.
    paid_status = 200 if staff.get(paid).status_code == 200 else 404
    return [
        ("console: find a wallet", f"/console/wallets?q={quote(phone)}", 303),
        ("console: wallet", found.headers.get("location"), 200),
        ("console: payments of a wallet", paid, paid_status),
        ("console: SMS outbox for a number", f"/console/sms?phone={quote(phone)}", 200),
    ]


def _console_screens(staff: httpx.Client, prepared: Prepared) -> list[Screen]:
    """The console's other screens, the busiest merchant's where one is asked for."""
    shop = prepared.shop.id
    day = prepared.shop.busiest_day
    paid = staff.get(f"/console/payments?q={shop}")
    payment = link(paid, r"/console/payments/pay_[0-9a-f]{32}")
    return [
        ("console: home", "/console", 200),
        ("console: live", "/console/live", 200),
        ("console: merchants", "/console/merchants", 200),
        ("console: merchants, page 2", _next(staff, "/console/merchants", "merchants"), 200),
        ("console: find merchants by name",
         f"/console/merchants?q={quote(prepared.shop.name)}", 200),
        ("console: merchant", f"/console/merchants/{shop}", 200),
        ("console: merchant's QR code", f"/console/merchants/{shop}/qr.svg", 200),
        ("console: onboard a merchant", "/console/merchants/new", 200),
        ("console: payments of a merchant", f"/console/payments?q={shop}", 200),
        ("console: payments of a merchant, page 2",
         _next(staff, f"/console/payments?q={shop}", "payments"), 200),
        ("console: payments by reference",
         f"/console/payments?q={shop}&reference={prepared.shop.reference_found}", 200),
        ("console: find a payment by id",
         f"/console/payments?q={payment.rsplit('/', 1)[1]}" if payment else None, 303),
        ("console: payment", payment, 200),
        ("console: webhook deliveries", f"/console/webhooks?merchant={shop}", 200),
        ("console: webhook deliveries, page 2",
         _next(staff, f"/console/webhooks?merchant={shop}", "webhooks"), 200),
        ("console: settlement", "/console/settlement", 200),
        ("console: settlement of a market day", f"/console/settlement?day={day}", 200),
        ("console: settlement CSV", f"/console/settlement/{day}.csv", 200),
        ("console: FX", "/console/fx", 200),
        ("console: FX, page 2", _next(staff, "/console/fx", "fx"), 200),
        ("console: treasury", "/console/treasury", 200),
        ("console: partners", "/console/partners", 200),
        ("console: partners, page 2", _next(staff, "/console/partners", "partners"), 200),
        ("console: SMS outbox", "/console/sms", 200),
        ("console: SMS outbox, page 2", _next(staff, "/console/sms", "sms"), 200),
        ("console: audit log", "/console/audit", 200),
        ("console: audit log, page 2", _next(staff, "/console/audit", "audit"), 200),
    ]  # fmt: skip


def _next(client: httpx.Client, url: str, page: str) -> str | None:
    """The link to a list's second page, as its first page gives it (None: one page)."""
    return link(client.get(url), rf"/console/{page}\?[^\"]*(?:after|before)=[^\"]+")


def _portal_screens(owner: httpx.Client, prepared: Prepared) -> list[Screen]:
    """The merchant portal's screens, as the busiest merchant's owner."""
    shop = prepared.shop
    first = owner.get("/merchant/payments")
    by_day = f"/merchant/payments?day={shop.first_day}"
    amount = quote(shop.amount_found)
    return [
        ("portal: home", "/merchant", 200),
        ("portal: payments", "/merchant/payments", 200),
        ("portal: payments, page 2", link(first, r"/merchant/payments\?after=[^\"]+"), 200),
        ("portal: payment", link(first, r"/merchant/payments/pay_[0-9a-f]{32}"), 200),
        ("portal: payments by reference",
         f"/merchant/payments?reference={shop.reference_found}", 200),
        ("portal: payments by amount", f"/merchant/payments?amount={amount}", 200),
        ("portal: payments of its first day", by_day, 200),
        ("portal: payments of its first day, page 2",
         link(owner.get(by_day), r"/merchant/payments\?after=[^\"]+"), 200),
        ("portal: payments CSV", "/merchant/payments.csv", 200),
        ("portal: payments CSV of its busiest day",
         f"/merchant/payments.csv?day={shop.busiest_day}", 200),
        ("portal: reports", "/merchant/reports", 200),
        ("portal: till", "/merchant/charge", 200),
        ("portal: till with a code", f"/merchant/charge?amount={amount}&reference=T1", 200),
        ("portal: till's code image",
         "/merchant/charge.png?amount_minor=1000&reference=T1", 200),
        ("portal: static code image", "/merchant/qr.png", 200),
        ("portal: poster", "/merchant/poster", 200),
        ("portal: poster SVG", "/merchant/poster.svg", 200),
        ("portal: poster PDF", "/merchant/poster.pdf", 200),
        ("portal: poster PNG", "/merchant/poster.png", 200),
        ("portal: API keys", "/merchant/keys", 200),
        ("portal: webhook", "/merchant/webhook", 200),
        ("portal: staff", "/merchant/staff", 200),
    ]  # fmt: skip


# Signed out: the first screen of each way in (the later steps are timed while signing in;
# a new wallet's and a new merchant user's first steps, `/app/signup`, `/app/pin/new` and
# `/merchant/password/new`, are forms that read nothing but the session, and are not timed).
SIGNED_OUT: list[Screen] = [
    ("app: sign in", "/app/signin", 200),
    ("console: sign in", "/console/signin", 200),
    ("portal: sign in", "/merchant/signin", 200),
]
# Streams of server-sent events, timed to their first event: (name, address, event).
STREAMS = (
    ("console: live, first event", "/console/live/events", "payments"),
    ("portal: home's live takings, first event", "/merchant/events", "takings"),
)


def measure(
    server: Server, prepared: Prepared, rounds: int, progress: Callable[[int, int], None]
) -> dict[str, object]:
    base = f"http://127.0.0.1:{server.port}"
    watch = Stopwatch(server)
    people = [app_person(base, watch, p, prepared.operator_key) for p in prepared.phones]
    staff = staff_member(base, watch, prepared)
    owner = shop_owner(base, watch, prepared)
    stranger = httpx.Client(base_url=base)
    clients = [*people, staff, owner, stranger]
    try:
        apps = [_app_screens(c) for c in people]
        about = [
            _person_console_screens(staff, phone, wallet_id)
            for phone, wallet_id in zip(prepared.phones, prepared.wallet_ids, strict=True)
        ]
        shared = [
            *((staff, s) for s in _console_screens(staff, prepared)),
            *((owner, s) for s in _portal_screens(owner, prepared)),
            *((stranger, s) for s in SIGNED_OUT),
        ]
        # A page no person's screens link to (one person's activity may have a second
        # page, another's not): named as not in this market.
        every = [*(s for _, s in shared), *_flat(apps), *_flat(about)]
        found = {name for name, url, _ in every if url is not None}
        absent = sorted({name for name, url, _ in every if url is None} - found)
        cpu_before = server.cpu_seconds()
        total = rounds * len(people)
        for n in range(total):
            person = n % len(people)
            asked = [
                *((people[person], s) for s in apps[person]),
                *((staff, s) for s in about[person]),
                *shared,
            ]
            for client, (name, url, status) in asked:
                if url is not None:
                    watch.get(client, name, url, status)
            for name, url, event in STREAMS:
                watch.first_event(staff if url.startswith("/console") else owner, name, url, event)
            progress(n + 1, total)
        cpu_after = server.cpu_seconds()
    finally:
        for c in clients:
            c.close()
    return _figures(prepared, len(people), watch.screens, absent, cpu_before, cpu_after)


def _flat(lists: list[list[Screen]]) -> list[Screen]:
    return [s for screens in lists for s in screens]


def _figures(
    prepared: Prepared, people: int, screens: dict[str, Timings], absent: list[str],
    cpu_before: float | None, cpu_after: float | None,
) -> dict[str, object]:  # fmt: skip
    requests = sum(len(t.load_ms) for t in screens.values())
    cpu_ms = (
        (cpu_after - cpu_before) * 1000 / requests
        if cpu_before is not None and cpu_after is not None and requests
        else None
    )
    return {
        "wallets_in_database": prepared.wallets,
        "people_signed_in": people,
        "merchant": asdict(prepared.shop),
        "requests": requests,
        "server_cpu_ms_per_screen": round(cpu_ms, 2) if cpu_ms is not None else None,
        "screens": {
            name: {
                "audience": t.audience,
                "samples": len(t.load_ms),
                "p50_ms": round(statistics.median(t.load_ms), 1),
                "p99_ms": round(_percentile(t.load_ms, 99), 1),
                "max_ms": round(max(t.load_ms), 1),
                "cpu_ms": round(statistics.mean(t.cpu_ms), 2),
            }
            for name, t in screens.items()
        },
        # Pages this market does not have (a list of one page has no second).
        "not_in_market": absent,
    }


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]
