"""What every page answers with, besides itself: the security headers, and the CSRF token
its forms carry.

The Content-Security-Policy allows scripts, styles, images and connections from Colony's
own origin only: no inline script or style, no CDN, no frame. Pages therefore hold no inline
`<script>` or `style=` (a test reads the templates), and nothing secret.

CSRF: a form carries `csrf`, an HMAC (keyed by the secrets key) of a random nonce the browser
holds in a cookie. A POST whose field does not match its cookie is refused before anything is
done. With the session cookies SameSite=Strict as well, another site can neither read the
token nor send the cookie.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The paths the headers go on: the screens, and their static files. The JSON API keeps its
# own (cheaper) answers: the payment route's headers are part of its CPU per payment.
PAGE_PREFIXES = ("/app", "/merchant", "/console", "/static/")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    # The camera for scanning a merchant's code, on Colony's own pages only.
    (b"permissions-policy", b"camera=(self), geolocation=(), microphone=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

CSRF_COOKIE = "colony_csrf"
CSRF_FIELD = "csrf"
# Random bytes in a CSRF nonce.
csrf_nonce_bytes = 16


# Set in a request's scope when its answer gets SECURITY_HEADERS elsewhere: a follower's
# form served by the ledger's writer, whose answer the follower's edge adds them to.
HEADERS_ADDED = "colony.security_headers_added"


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer under PAGE_PREFIXES; pages also say no-store
    (a balance must not be read back from a shared computer's cache)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PAGE_PREFIXES) or HEADERS_ADDED in scope:
            await self._app(scope, receive, send)
            return
        static = path.startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self._app(scope, receive, with_headers)


def csrf_token(key: bytes, nonce: str) -> str:
    return hmac.new(key, f"csrf/{nonce}".encode(), hashlib.sha256).hexdigest()


def csrf_matches(key: bytes, nonce: str | None, token: str | None) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(csrf_token(key, nonce), token)
