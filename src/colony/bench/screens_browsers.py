"""Browsers without script for `colony bench screens`: each audience signs in as a person
would (the app: number, texted code, PIN; the console: password, TOTP; the portal: number,
texted code, password), over real HTTP on loopback, and every screen asked for is timed by
a `Stopwatch`: from asking to the whole answer, and the server's CPU over the request.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html import unescape

import httpx
import pyotp

from colony.bench.api_bench import Server
from colony.bench.screens_market import (
    Prepared,
    bench_owner_password,
    bench_pin,
    bench_staff_password,
)

# How long one screen may take before the benchmark gives up on it, in seconds.
screen_timeout_s = 30.0
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_CODE = re.compile(r"[0-9]{6}")


@dataclass
class Timings:
    """One screen's samples: load time and the server's CPU, in milliseconds."""

    audience: str
    load_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


class Stopwatch:
    """Asks for screens and keeps how long each took. The benchmark asks for one screen at a
    time, so the CPU the server's threads used from asking to answer is that screen's (the
    relay's and the ledger's own threads add a little now and then)."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self.screens: dict[str, Timings] = {}

    def get(self, client: httpx.Client, name: str, url: str, status: int = 200) -> httpx.Response:
        before = self._server.thread_cpu_ns()
        started = time.perf_counter()
        answer = client.get(url)
        self._keep(name, started, before)
        if answer.status_code != status:
            raise RuntimeError(f"{name} ({url}) answered {answer.status_code}, not {status}")
        return answer

    def first_event(self, client: httpx.Client, name: str, url: str, event: str) -> None:
        """A stream of server-sent events, timed until its first `event` has come."""
        before = self._server.thread_cpu_ns()
        started = time.perf_counter()
        with client.stream("GET", url) as answer:
            if answer.status_code != 200:
                raise RuntimeError(f"{name} ({url}) answered {answer.status_code}")
            for line in answer.iter_lines():
                if line == f"event: {event}":
                    break
            else:
                raise RuntimeError(f"{name} ({url}) ended before its first {event}")
        self._keep(name, started, before)

    def _keep(self, name: str, started: float, before: dict[int, int]) -> None:
        load_ms = (time.perf_counter() - started) * 1000
        after = self._server.thread_cpu_ns()
        cpu_ns = sum(ns - before.get(tid, 0) for tid, ns in after.items())
        timings = self.screens.setdefault(name, Timings(name.split(":", 1)[0]))
        timings.load_ms.append(load_ms)
        timings.cpu_ms.append(max(0, cpu_ns) / 1e6)


def csrf(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    if found is None:
        raise RuntimeError(f"no form on {page.url} ({page.status_code})")
    return found.group(1)


def link(page: httpx.Response, pattern: str) -> str | None:
    """The first link on the page whose address matches `pattern` (a regular expression)."""
    found = re.search(f'href="({pattern})"', page.text)
    return unescape(found.group(1)) if found else None


def _texted_code(base: str, phone: str, operator_key: str) -> str:
    """The newest code texted to `phone`, read from the SMS outbox as the operator."""
    texts = httpx.get(
        f"{base}/v1/sms_outbox",
        params={"phone": phone, "limit": 1},
        headers={"Authorization": f"Bearer {operator_key}"},
        timeout=screen_timeout_s,
    ).json()["data"]
    code = _CODE.match(texts[0]["text"]) if texts else None
    if code is None:
        raise RuntimeError(f"no code texted to {phone}")
    return code.group()


def app_person(base: str, watch: Stopwatch, phone: str, operator_key: str) -> httpx.Client:
    """Signed in to the wallet app as `phone`."""
    client = httpx.Client(base_url=base, timeout=screen_timeout_s)
    page = watch.get(client, "app: sign in", "/app/signin")
    client.post("/app/signin", data={"csrf": csrf(page), "phone": phone})
    code = _texted_code(base, phone, operator_key)
    page = watch.get(client, "app: sign in, code", "/app/signin/code")
    client.post("/app/signin/code", data={"csrf": csrf(page), "code": code})
    page = watch.get(client, "app: sign in, PIN", "/app/signin/pin")
    done = client.post("/app/signin/pin", data={"csrf": csrf(page), "pin": bench_pin})
    if done.headers.get("location") != "/app":
        raise RuntimeError(f"{phone} could not sign in ({done.status_code})")
    return client


def staff_member(base: str, watch: Stopwatch, prepared: Prepared) -> httpx.Client:
    """Signed in to the console (password, then TOTP)."""
    client = httpx.Client(base_url=base, timeout=screen_timeout_s)
    page = watch.get(client, "console: sign in", "/console/signin")
    client.post("/console/signin", data={"csrf": csrf(page), "email": prepared.staff_email,
                                         "password": bench_staff_password})  # fmt: skip
    page = watch.get(client, "console: sign in, TOTP", "/console/signin/totp")
    code = pyotp.TOTP(prepared.staff_totp_secret).now()
    done = client.post("/console/signin/totp", data={"csrf": csrf(page), "code": code})
    if done.headers.get("location") != "/console":
        raise RuntimeError(f"the benchmark's staff member could not sign in ({done.status_code})")
    return client


def shop_owner(base: str, watch: Stopwatch, prepared: Prepared) -> httpx.Client:
    """Signed in to the merchant portal as the busiest merchant's owner (number, texted
    code, password)."""
    client = httpx.Client(base_url=base, timeout=screen_timeout_s)
    phone = prepared.shop.owner_phone
    page = watch.get(client, "portal: sign in", "/merchant/signin")
    client.post("/merchant/signin", data={"csrf": csrf(page), "login": phone})
    code = _texted_code(base, phone, prepared.operator_key)
    page = watch.get(client, "portal: sign in, code", "/merchant/signin/code")
    client.post("/merchant/signin/code", data={"csrf": csrf(page), "code": code})
    page = watch.get(client, "portal: sign in, password", "/merchant/signin/password")
    done = client.post(
        "/merchant/signin/password", data={"csrf": csrf(page), "password": bench_owner_password}
    )
    if done.headers.get("location") != "/merchant":
        raise RuntimeError(f"the merchant's owner could not sign in ({done.status_code})")
    return client
