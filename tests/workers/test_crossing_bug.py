"""A bug on a follower's way to the writer (api/app.py, `PaymentsEdge._crossed`) is answered
as the app's server-error layer answers one, with the pages' security headers where the path
is a page's: the follower adds them to whatever it answers for a crossed form."""

from __future__ import annotations

from pathlib import Path

import pytest

from colony.api.forwarded_requests import ForwardedRequest
from colony.cli.serve import build_context
from colony.web.guard import SECURITY_HEADERS
from tests.api.test_wallet_api import on_loopback


class _BrokenWriterLink:
    """A follower's forwarding whose crossing has a bug in it."""

    follows = True

    def serve_here(self, *_: object) -> None:
        """This process never writes: it has nothing to serve for followers."""

    async def request(self, crossing: ForwardedRequest, timeout_s: float | None) -> object:
        raise RuntimeError("a bug on the way to the writer")


@pytest.mark.parametrize("path", ["/app/credit/repay", "/v1/p2p_transfers"])
def test_a_bug_in_a_crossing_is_a_500_with_the_pages_headers(tmp_path: Path, path: str) -> None:
    ctx = build_context(f"sqlite:///{tmp_path}/api.db")
    ctx.forwarding = _BrokenWriterLink()  # type: ignore[assignment]
    with on_loopback(ctx) as client:
        answer = client.post(path, content=b"{}", headers={"Content-Type": "application/json"})
    assert answer.status_code == 500
    page = path.startswith("/app/")
    for name, value in SECURITY_HEADERS:
        assert (answer.headers.get(name.decode()) == value.decode()) is page, name
