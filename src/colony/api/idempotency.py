"""`Idempotency-Key` on every POST: the same key and body replay the first response.

The key is scoped to the caller (a wallet, or "public" for unauthenticated calls). A second
request with the key and another body gets 409; one arriving while the first is still being
served gets 409 too and should retry. Handlers that move money derive their ledger transfer
id from the key, so even a crash between the ledger and this table cannot move money twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from fastapi.responses import JSONResponse

from colony.api.errors import ApiError
from colony.kernel.clock import NS_PER_S, Clock
from colony.storage.sqlite_api import SqliteApiStore

# The longest key accepted, in characters.
idempotency_key_chars_max = 255
# How long a first request may stay unanswered before its claim counts as abandoned (its
# server died mid-request), in seconds: longer than any request may take (the ledger's own
# request timeout is 60 s). A retry after that runs the handler again; money-moving handlers
# reuse the same ledger ids, so the money still moves at most once.
in_flight_abandoned_s = 120


def transfer_id_for(scope: str, key: str) -> int:
    """A ledger transfer id fixed by the key: a retried request resubmits the same transfer."""
    digest = hashlib.blake2b(f"{scope}\x00{key}".encode(), digest_size=16).digest()
    return (int.from_bytes(digest, "big") >> 2) | (1 << 126)


def request_hash(request: object) -> str:
    """What identifies a request's body: the same body always hashes the same."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def run(
    store: SqliteApiStore,
    clock: Clock,
    scope: str,
    key: str | None,
    request: object,
    handler: Callable[[], tuple[int, dict[str, object]]],
    secret_fields: tuple[str, ...] = (),
) -> JSONResponse:
    """Serve `handler` once per key. `secret_fields` (a new token, an API key) are in the first
    response only: the stored copy never holds them, so a replay shows the record without its
    secret, and the database never holds a credential in clear."""
    if not key:
        raise ApiError(
            400,
            "idempotency_key_missing",
            "every POST needs an Idempotency-Key header",
            param="Idempotency-Key",
        )
    if len(key) > idempotency_key_chars_max:
        raise ApiError(
            400,
            "idempotency_key_too_long",
            f"Idempotency-Key is at most {idempotency_key_chars_max} characters",
            param="Idempotency-Key",
        )
    now_ns = clock.now_ns()
    abandoned_before_ns = now_ns - in_flight_abandoned_s * NS_PER_S
    state, status, body = store.begin(
        scope, key, request_hash(request), now_ns, abandoned_before_ns
    )
    if state == "different":
        raise ApiError(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
            param="Idempotency-Key",
        )
    if state == "same":
        if status is None:
            raise ApiError(409, "idempotency_key_in_use", "a request with this key is in progress")
        assert body is not None
        return JSONResponse(
            json.loads(body), status_code=status, headers={"Idempotent-Replayed": "true"}
        )
    try:
        status, payload = handler()
    except ApiError as exc:
        status, payload = exc.status, exc.body()
    except BaseException:
        store.release(scope, key)  # a crash of ours, not an answer: let a retry run again
        raise
    stored = {name: value for name, value in payload.items() if name not in secret_fields}
    store.finish(scope, key, status, json.dumps(stored))
    return JSONResponse(payload, status_code=status)
