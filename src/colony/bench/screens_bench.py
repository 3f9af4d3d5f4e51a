"""How long the screens take to load on a market of real size: `colony serve` on loopback
over a simulated market's database, people signing in through the wallet app itself (their
number, the texted code, their PIN) and a staff member through the operator console
(password, TOTP), then every screen asked for in turn: each person's app screens, and the
console's screens about that person.

A figure, not a test: the issue's bar is 300 ms a screen with 100,000 people loaded.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pyotp

from colony.api import auth
from colony.api.context import ApiContext
from colony.bench.api_bench import Server
from colony.credentials import CredentialService, SecretKind
from colony.staff import Role, StaffService
from colony.wallets import Wallet

# The PIN the benchmark sets for the people it signs in (their own, set in the database).
bench_pin = "592730"
# Wallets read per page while sampling (the store's page, in wallets).
sample_page_wallets = 1_000
# How long one screen may take before the benchmark gives up on it, in seconds.
screen_timeout_s = 30.0
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_HREF = re.compile(r'href="(/app/(?:activity|payments)/[0-9a-f]{32})"')

# The screens asked for, in order, for each person: (name, path or how to find it).
SCREENS = ("home", "activity page 2", "receipt", "send", "top up", "pay", "payment code")
# The operator console's screens, asked for each person by a signed-in staff member.
CONSOLE_SCREENS = ("console: find a wallet", "console: wallet", "console: audit log",
                   "console: SMS outbox")  # fmt: skip
# The staff member's password the benchmark sets.
bench_staff_password = "bench staff password 1"


@dataclass(frozen=True)
class Prepared:
    phones: list[str]
    operator_key: str
    wallets: int  # in the database
    staff_email: str
    staff_totp_secret: str


def prepare(ctx: ApiContext, sample: int, seed: int) -> Prepared:
    """Choose `sample` people at random (seeded) and give each the PIN the benchmark types;
    an operator key reads their texted codes."""
    every: list[Wallet] = []
    after = ""
    while True:
        page = ctx.wallet_store.all(after, sample_page_wallets)
        if not page:
            break
        every.extend(page)
        after = page[-1].id
    if not every:
        raise RuntimeError("the database holds no wallets: run `colony simulate market` first")
    chosen = random.Random(seed).sample(every, min(sample, len(every)))
    credentials = ctx.service(CredentialService)
    for wallet in chosen:
        credentials.set(f"phone:{wallet.phone}", SecretKind.pin, bench_pin)
    operator_key = auth.new_secret(ctx, auth.OPERATOR_KEY_PREFIX)
    ctx.api_store.add_key(auth.digest(operator_key), "operator", "operator", ctx.clock.now_ns())
    email = f"bench-{ctx.clock.now_ns()}@colony.example"
    made, member = ctx.service(StaffService).create(
        email, "Bench Operator", Role.operations, bench_staff_password
    )
    if member is None:
        raise RuntimeError(f"could not add the benchmark's staff member: {made.name}")
    return Prepared([w.phone for w in chosen], operator_key, len(every), email, member.totp_secret)


def _staff_signed_in(base: str, prepared: Prepared) -> httpx.Client:
    """A browser without script, signed in to the console (password, then TOTP)."""
    client = httpx.Client(base_url=base, timeout=screen_timeout_s)
    page = client.get("/console/signin")
    client.post("/console/signin", data={"csrf": _csrf(page), "email": prepared.staff_email,
                                         "password": bench_staff_password})  # fmt: skip
    page = client.get("/console/signin/totp")
    code = pyotp.TOTP(prepared.staff_totp_secret).now()
    done = client.post("/console/signin/totp", data={"csrf": _csrf(page), "code": code})
    if done.headers.get("location") != "/console":
        raise RuntimeError(f"the benchmark's staff member could not sign in ({done.status_code})")
    return client


def _csrf(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    if found is None:
        raise RuntimeError(f"no form on {page.url} ({page.status_code})")
    return found.group(1)


def _signed_in(base: str, phone: str, operator_key: str) -> httpx.Client:
    """A browser without script, signed in to the app as `phone`."""
    client = httpx.Client(base_url=base, timeout=screen_timeout_s)
    client.post("/app/signin", data={"csrf": _csrf(client.get("/app/signin")), "phone": phone})
    texts = client.get(
        "/v1/sms_outbox",
        params={"phone": phone, "limit": 1},
        headers={"Authorization": f"Bearer {operator_key}"},
    ).json()["data"]
    code = re.match(r"[0-9]{6}", texts[0]["text"])
    if code is None:
        raise RuntimeError(f"no code texted to {phone}")
    page = client.get("/app/signin/code")
    client.post("/app/signin/code", data={"csrf": _csrf(page), "code": code.group()})
    page = client.get("/app/signin/pin")
    done = client.post("/app/signin/pin", data={"csrf": _csrf(page), "pin": bench_pin})
    if done.headers.get("location") != "/app":
        raise RuntimeError(f"{phone} could not sign in ({done.status_code})")
    return client


def _wallet_page(staff: httpx.Client, phone: str) -> str:
    """The console's page of the wallet of `phone`, as finding it by its number answers."""
    found = staff.get("/console/wallets", params={"q": phone})
    location = found.headers.get("location")
    if found.status_code != 303 or not location:
        raise RuntimeError(f"the console did not find {phone} ({found.status_code})")
    return str(location)


def _paths(client: httpx.Client) -> dict[str, str]:
    """Each screen's path for this person (the second page of activity and a receipt are
    read off the home screen)."""
    home = client.get("/app").text
    more = re.search(r'href="(/app/activity\?before=\d+)"', home)
    receipt = _HREF.search(home)
    return {
        "home": "/app",
        "activity page 2": more.group(1) if more else "/app/activity",
        "receipt": receipt.group(1) if receipt else "/app",
        "send": "/app/send",
        "top up": "/app/topup",
        "pay": "/app/pay",
        "payment code": "/app/code",
    }


def measure(
    server: Server, prepared: Prepared, rounds: int, progress: Callable[[int, int], None]
) -> dict[str, object]:
    base = f"http://127.0.0.1:{server.port}"
    clients = [_signed_in(base, phone, prepared.operator_key) for phone in prepared.phones]
    staff = _staff_signed_in(base, prepared)
    try:
        paths = [_paths(c) for c in clients]
        wallet_pages = [_wallet_page(staff, phone) for phone in prepared.phones]
        times: dict[str, list[float]] = {name: [] for name in (*SCREENS, *CONSOLE_SCREENS)}
        cpu_before = server.cpu_seconds()
        total = rounds * len(clients)
        for n in range(total):
            client, path = clients[n % len(clients)], paths[n % len(clients)]
            for name in SCREENS:
                times[name].append(_timed(client, name, path[name], 200))
            phone, wallet_page = prepared.phones[n % len(clients)], wallet_pages[n % len(clients)]
            console = {
                "console: find a wallet": (f"/console/wallets?q={quote(phone)}", 303),
                "console: wallet": (wallet_page, 200),
                "console: audit log": ("/console/audit", 200),
                "console: SMS outbox": (f"/console/sms?phone={quote(phone)}", 200),
            }
            for name, (url, status) in console.items():
                times[name].append(_timed(staff, name, url, status))
            progress(n + 1, total)
        cpu_after = server.cpu_seconds()
    finally:
        for c in (*clients, staff):
            c.close()
    requests = sum(len(v) for v in times.values())
    cpu_ms = (
        (cpu_after - cpu_before) * 1000 / requests
        if cpu_before is not None and cpu_after is not None
        else None
    )
    return {
        "wallets_in_database": prepared.wallets,
        "people_signed_in": len(clients),
        "requests": requests,
        "server_cpu_ms_per_screen": round(cpu_ms, 2) if cpu_ms is not None else None,
        "screens": {
            name: {
                "p50_ms": round(statistics.median(v), 1),
                "p99_ms": round(_percentile(v, 99), 1),
                "max_ms": round(max(v), 1),
            }
            for name, v in times.items()
        },
    }


def _timed(client: httpx.Client, name: str, url: str, status: int) -> float:
    """Milliseconds from asking for the screen to its whole answer."""
    started = time.perf_counter()
    answer = client.get(url)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if answer.status_code != status:
        raise RuntimeError(f"{name} ({url}) answered {answer.status_code}")
    return elapsed_ms


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]
