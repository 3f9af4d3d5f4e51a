"""Every screen's handler runs on a thread of the pool, its posted body read first on the
event loop (docs/adr/0109): a page's blocking work (an Argon2 check, reads, a payment's
commits waited for) never holds up the process's other requests, the API's payments among
them."""

from __future__ import annotations

import inspect

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.requests import Request

from colony.api.app import PAGES
from colony.api.context import ApiContext
from colony.kernel.clock import ManualClock
from colony.web.shell import body_read, posted_body
from tests.web.visitor import visitor_for

# The two pages that stream events while they are open: each awaits its reads on a thread
# of the pool (`run_in_threadpool`) and sleeps between them, holding no thread meanwhile.
STREAMS = ["/console/live/events", "/merchant/events"]


def _routes() -> list[APIRoute]:
    return [r for router in PAGES for r in router.routes if isinstance(r, APIRoute)]


def test_no_page_but_the_streams_runs_on_the_event_loop() -> None:
    on_loop = sorted(r.path for r in _routes() if inspect.iscoroutinefunction(r.endpoint))
    assert on_loop == STREAMS


def test_every_page_reads_its_posted_body_before_its_handler_runs() -> None:
    routes = _routes()
    assert len(routes) > 100  # every product's screens, not an empty list passing
    unread = [r.path for r in routes if not any(d.dependency is body_read for d in r.dependencies)]
    assert unread == []


def test_a_body_read_outside_the_pages_router_is_a_bug_named() -> None:
    request = Request({"type": "http", "method": "POST", "path": "/app/x", "headers": []})
    with pytest.raises(RuntimeError, match="/app/x: a page's body read outside pages_router"):
        posted_body(request)


def test_a_posted_form_is_served_from_its_thread(
    served_at: tuple[httpx.Client, ApiContext, ManualClock],
) -> None:
    """A form posted over HTTP: its body read on the loop, its CSRF check and its answer on
    the handler's thread; a forged one refused as before."""
    api, _, _ = served_at
    visitor = visitor_for(api)
    page = visitor.get("/app/signin")
    assert page.status_code == 200
    sent = visitor.post("/app/signin", {"phone": "+6581239999"})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/app/signin/code"
    forged = api.post("/app/signin", data={"phone": "+6581239999", "csrf": "forged"})
    assert forged.status_code == 403
    assert "did not come from Colony" in forged.text
