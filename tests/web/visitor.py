"""A person using the wallet app over HTTP, as a browser would without script: pages read as
HTML, forms posted with the CSRF token they carry, cookies kept."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape

import httpx

from tests.api.test_wallet_api import sent_code as code_sent_to

_FIELD = re.compile(r'name="(csrf|op)" value="([0-9a-f]+)"')


@dataclass
class Visitor:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.base_url, headers=self.headers, follow_redirects=False, timeout=30
        )
        self.last: httpx.Response | None = None

    def get(self, path: str) -> httpx.Response:
        self.last = self.client.get(path)
        return self.last

    def post(
        self, path: str, fields: dict[str, str], *, form_at: str | None = None
    ) -> httpx.Response:
        """Post `fields` to `path` with the hidden fields (csrf, op) of the form at `form_at`
        (`path` itself unless given), as a browser submits a form it was shown."""
        shown = self.get(form_at or path)
        assert shown.status_code == 200, (form_at or path, shown.status_code, shown.text[:500])
        hidden = dict(_FIELD.findall(shown.text))
        self.last = self.client.post(path, data=hidden | fields)
        return self.last

    def text(self, path: str) -> str:
        """The page's words, tags stripped, spaces collapsed."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code, page.text[:500])
        return words(page.text)

    def close(self) -> None:
        self.client.close()


# The visitors `visitor_for` opened, closed after each test (conftest.py).
opened: list[Visitor] = []


def visitor_for(api: httpx.Client, **headers: str) -> Visitor:
    """A new visitor of the server `api` talks to, closed when the test ends."""
    made = Visitor(str(api.base_url), headers)
    opened.append(made)
    return made


def words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def signed_up(
    visitor: Visitor, api: httpx.Client, phone: str, *, name: str = "Mei Tan",
    currency: str = "SGD", pin: str = "482915",
) -> None:  # fmt: skip
    """Sign up in the app: number, texted code, name and currency, PIN."""
    sent = visitor.post("/app/signin", {"phone": phone})
    assert sent.headers.get("location") == "/app/signin/code", sent.text[:500]
    proved = visitor.post("/app/signin/code", {"code": code_sent_to(api, phone)})
    assert proved.headers.get("location") == "/app/signup", proved.text[:500]
    opened = visitor.post("/app/signup", {"name": name, "currency": currency})
    assert opened.headers.get("location") == "/app/pin/new", opened.text[:500]
    pinned = visitor.post("/app/pin/new", {"pin": pin, "pin_again": pin})
    assert pinned.headers.get("location") == "/app", pinned.text[:500]


def events_of(lines: Iterator[str], kind: str) -> Iterator[dict[str, object]]:
    """The data of each server-sent event named `kind` in a stream's lines."""
    named = ""
    for line in lines:
        if line.startswith("event: "):
            named = line.removeprefix("event: ")
        elif line.startswith("data: ") and named == kind:
            yield json.loads(line.removeprefix("data: "))
