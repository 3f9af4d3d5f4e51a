"""The shell every screen is drawn in: templates, the visitor's language, forms with their
CSRF check, sessions, and the redirects between steps.

Templates are found by their first path segment, the package that owns them:
`wallets/home.html` is `colony/wallets/templates/wallets/home.html`, `web/base.html` the
shell's own. A product adds screens with no line here.
"""

from __future__ import annotations

import html
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

import jinja2
from fastapi import APIRouter, Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from colony.kernel.clock import NS_PER_S, Clock
from colony.kernel.errors import UnstorableInput
from colony.web.guard import CSRF_COOKIE, CSRF_FIELD, csrf_matches, csrf_nonce_bytes, csrf_token
from colony.web.i18n import (
    LANGUAGE_COOKIE,
    LOCALES,
    ZONE_COOKIE,
    Texts,
    language_cookie_s,
    negotiate,
    viewer_zone,
)
from colony.web.sessions import (
    SESSION_TTL_S,
    SqlSessionStore,
    WebSession,
    id_digest,
    session_id_bytes,
    signing_in_ttl_s,
)

# What the CSRF key is derived for, from the secrets key.
CSRF_KEY_PURPOSE = "web forms csrf"
# Fields read from one posted form; a form of Colony's has a handful.
form_fields_max = 50


# Where a posted page's body is kept once read on the event loop (`body_read`).
POSTED_BODY = "colony.posted_body"
# The methods whose body a page's handler may read.
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


def pages_router() -> APIRouter:
    """A product's router of screens: its handlers are plain functions, run on a thread of
    the pool, the body of a posted form read first, on the event loop (`body_read`).

    A page's work blocks: a password's or a PIN's Argon2 check (tens of milliseconds of
    CPU, the interpreter's lock released), reads, a payment's durable commits waited for.
    Run on the event loop, it held up every request of the process meanwhile, the API's
    payments among them: two people signing in to the console again and again took the
    API's payments from 5 ms to 75 ms at the median (docs/adr/0109)."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(body_read)])


async def body_read(request: Request) -> None:
    """Every page's dependency (`pages_router`): a posted body read whole on the event loop
    (where the request's messages arrive), kept in the request's scope for `posted_body`."""
    if request.method not in _BODYLESS:
        request.scope[POSTED_BODY] = await request.body()


def posted_body(request: Request) -> bytes:
    """The body `body_read` read. A handler whose router is not `pages_router`'s has none:
    a bug, not the visitor's."""
    body: bytes | None = request.scope.get(POSTED_BODY)
    if body is None:
        raise RuntimeError(f"{request.url.path}: a page's body read outside pages_router")
    return body


class Redirect(Exception):
    """Answered 303 to `location` (the app's handler, installed by `install`)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class Refused(Exception):
    """A request no page serves as sent (a forged form): answered with a short page."""

    def __init__(self, status: int, message: str, home: str = "/app") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.home = home  # where the page's one link goes: the screen it was asked from


class Answered(Exception):
    """A page that answers the request instead of the one asked for (the console's 403 for
    a role that may not): raised from a check deep in a handler, sent as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _PackageTemplates(jinja2.BaseLoader):
    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        package, _, rest = template.partition("/")
        if not package.isidentifier() or not rest or ".." in rest.split("/"):
            raise jinja2.TemplateNotFound(template)
        try:
            source = resources.files(f"colony.{package}") / "templates" / template
        except ModuleNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        if not source.is_file():
            raise jinja2.TemplateNotFound(template)
        return source.read_text(encoding="utf-8"), None, lambda: True


@dataclass
class Shell:
    """What every page handler takes from the context (`ctx.service(Shell)`)."""

    sessions: SqlSessionStore
    clock: Clock
    csrf_key: bytes
    token_bytes: Callable[[int], bytes] = secrets.token_bytes
    # Whether cookies say Secure: behind TLS in production; plain http on loopback here.
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        self.templates = jinja2.Environment(
            loader=_PackageTemplates(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # Language ----------------------------------------------------------------------------

    def texts(self, request: Request) -> Texts:
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        zone = viewer_zone(request.cookies.get(ZONE_COOKIE))
        return Texts(negotiate(chosen, request.headers.get("accept-language")), zone)

    # Pages -------------------------------------------------------------------------------

    def render(
        self, request: Request, template: str, *, status: int = 200, **values: Any
    ) -> HTMLResponse:
        nonce = request.cookies.get(CSRF_COOKIE) or ""
        fresh = not nonce
        if fresh:
            nonce = self.token_bytes(csrf_nonce_bytes).hex()
        page = self.templates.get_template(template).render(
            t=self.texts(request),
            csrf_field=CSRF_FIELD,
            csrf=csrf_token(self.csrf_key, nonce),
            path=request.url.path,
            locales=LOCALES,
            **values,
        )
        response = HTMLResponse(page, status_code=status)
        if fresh:
            self._cookie(response, CSRF_COOKIE, nonce, "/", max_age=None)
        return response

    def form(self, request: Request) -> dict[str, str]:
        """The posted form's fields (each name once: the last wins), after the CSRF check.
        The body is already capped (api/app.py's BodyLimited) and read (`posted_body`)."""
        body = posted_body(request).decode("utf-8", errors="replace")
        try:
            fields = dict(parse_qsl(body, keep_blank_values=True, max_num_fields=form_fields_max))
        except ValueError:
            raise Refused(400, f"a form has at most {form_fields_max} fields") from None
        nonce = request.cookies.get(CSRF_COOKIE)
        if not csrf_matches(self.csrf_key, nonce, fields.pop(CSRF_FIELD, None)):
            raise Refused(
                403, "This form has expired or did not come from Colony: go back and try again."
            )
        return fields

    # Sessions ----------------------------------------------------------------------------

    def session(self, request: Request, audience: str) -> WebSession | None:
        session_id = request.cookies.get(_session_cookie(audience))
        if not session_id:
            return None
        return self.sessions.get(id_digest(session_id), audience, self.clock.now_ns())

    def step(
        self,
        request: Request,
        response: Response,
        audience: str,
        stage: str,
        **fields: str,
    ) -> WebSession:
        """Move the visitor's sign-in to `stage` under a new session id (the old one ends);
        `fields` set the session's subject, address and verification."""
        old = self.session(request, audience)
        now_ns = self.clock.now_ns()
        ttl_s = SESSION_TTL_S[audience] if stage == "signed_in" else signing_in_ttl_s
        session_id = self.token_bytes(session_id_bytes).hex()
        digest = id_digest(session_id)
        if old is None:
            base = WebSession(digest, audience, stage, "", "", "", now_ns, now_ns)
        else:
            base = old
        made = base.next(digest, stage, now_ns, ttl_s * NS_PER_S, **fields)
        self.sessions.add(made, replacing=old.id_sha256 if old else None)
        if old is None:
            self.sessions.sweep(now_ns)
        self._cookie(response, _session_cookie(audience), session_id, f"/{audience}", ttl_s)
        return made

    def end(self, request: Request, response: Response, audience: str) -> None:
        old = self.session(request, audience)
        if old is not None:
            self.sessions.end(old.id_sha256)
        response.delete_cookie(_session_cookie(audience), path=f"/{audience}")

    def redirect(self, location: str) -> RedirectResponse:
        return RedirectResponse(location, status_code=303)

    def _cookie(
        self, response: Response, name: str, value: str, path: str, max_age: int | None
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=path,
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )

    def language_cookie(self, response: Response, locale: str) -> None:
        self._cookie(response, LANGUAGE_COOKIE, locale, "/", max_age=language_cookie_s)

    def signed_in(self, request: Request, audience: str) -> WebSession:
        """The visitor's signed-in session, or a redirect to the audience's sign-in."""
        return self.at_stage(request, audience, "signed_in")

    def at_stage(self, request: Request, audience: str, stage: str) -> WebSession:
        """The visitor's session when sign-in has reached `stage`; else a redirect to the
        start of the audience's sign-in (a step's page opened out of turn, an expired one)."""
        found = self.session(request, audience)
        if found is None or found.stage != stage:
            raise Redirect(f"/{audience}/signin")
        return found


def _session_cookie(audience: str) -> str:
    return f"colony_{audience}_session"


def local_path(location: str | None, fallback: str) -> str:
    """`location` when it is a path on this site, else `fallback`: a `next` field never
    sends anyone elsewhere (no scheme, no host, no `//host`, no backslash)."""
    if not location or not location.startswith("/") or location.startswith("//"):
        return fallback
    if "\\" in location or any(c < " " for c in location):
        return fallback
    return location


def typed_count(text: str, digits_max: int) -> int | None:
    """A whole number as typed in a form field, or None unless it is 1 to `digits_max`
    ASCII digits. `str.isdigit()` alone takes other scripts' digits ("²") that `int()`
    refuses, and `int()` refuses more than 4,300 digits: either would answer 500."""
    if not text or len(text) > digits_max or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def install(app: FastAPI) -> None:
    """Answer the shell's Redirect, Refused and Answered."""

    @app.exception_handler(Answered)
    async def answered(_: Request, exc: Answered) -> Response:
        return exc.response

    @app.exception_handler(Redirect)
    async def redirected(_: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> Response:
        return refused_page(exc)

    # A page's query or form that does not validate (`?at=abc` where a number is due), or
    # holds what storage cannot: the API's handlers answer JSON, which a browser shows raw.
    # A page answers with a page that says which field; the API's routes as before.
    for kind in (RequestValidationError, UnstorableInput):
        _answer_pages_with_pages(app, kind)


def _answer_pages_with_pages(app: FastAPI, kind: type[Exception]) -> None:
    api_handler = app.exception_handlers.get(kind)

    async def answered(request: Request, exc: Exception) -> Response:
        # A payment a follower forwarded is answered with a scope of no path (the writer's
        # own, api/forwarded_payments.py): the API's.
        home = page_home(str(request.scope.get("path", "")))
        if home is None and api_handler is not None:
            answer = api_handler(request, exc)  # the API's handlers are coroutines
            return await answer if inspect.isawaitable(answer) else answer
        return refused_page(Refused(400, _what_was_wrong(exc), home or "/"))

    app.add_exception_handler(kind, answered)


def page_home(path: str) -> str | None:
    """The home of the pages `path` is among (the app, the portal, the console), or None
    for the API's routes and everything else."""
    for home in ("/app", "/merchant", "/console"):
        if path == home or path.startswith(home + "/"):
            return home
    return None


def _what_was_wrong(exc: Exception) -> str:
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        where = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
        said = str(first.get("msg", "not valid"))
        return f"{'.'.join(where)}: {said}" if where else said
    return "A value on this page is out of the range Colony can store."


def refused_page(exc: Refused) -> HTMLResponse:
    """The short page that answers a request no page serves as sent."""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Colony</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/web/colony.css"></head><body><main class="page">'
        f'<h1>Colony</h1><p role="alert">{html.escape(exc.message)}</p>'
        f'<p><a href="{html.escape(exc.home)}">Colony</a></p></main></body></html>'
    )
    return HTMLResponse(page, status_code=exc.status)
