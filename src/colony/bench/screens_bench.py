"""How long the wallet app's screens take to load on a market of real size: `colony serve`
on loopback over a simulated market's database, people signing in through the app itself
(their number, the texted code, their PIN), then every screen asked for in turn.

A figure, not a test: the issue's bar is 300 ms a screen with 100,000 people loaded.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from colony.api import auth
from colony.api.context import ApiContext
from colony.bench.api_bench import Server
from colony.credentials import CredentialService, SecretKind
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


@dataclass(frozen=True)
class Prepared:
    phones: list[str]
    operator_key: str
    wallets: int  # in the database


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
    return Prepared([w.phone for w in chosen], operator_key, len(every))


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
    try:
        paths = [_paths(c) for c in clients]
        times: dict[str, list[float]] = {name: [] for name in SCREENS}
        cpu_before = server.cpu_seconds()
        total = rounds * len(clients)
        for n in range(total):
            client, path = clients[n % len(clients)], paths[n % len(clients)]
            for name in SCREENS:
                started = time.perf_counter()
                answer = client.get(path[name])
                elapsed = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"{name} ({path[name]}) answered {answer.status_code}")
                times[name].append(elapsed * 1000)
            progress(n + 1, total)
        cpu_after = server.cpu_seconds()
    finally:
        for c in clients:
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


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]
