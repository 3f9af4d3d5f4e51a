"""`Idempotency-Key` on every POST: the same key and body replay the first response.

The key is scoped to the caller (a wallet, or "public" for unauthenticated calls). A second
request with the key and another body gets 409; one arriving while the first is still being
served gets 409 too and should retry. Handlers that move money derive their ledger transfer
id from the key, so even a crash between the ledger and this table cannot move money twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from colony.api.errors import ApiError
from colony.api.json_bodies import hashed_json, response_json
from colony.api.records import ApiStore
from colony.api.steps import awaited, result_of
from colony.kernel.clock import Clock
from colony.kernel.steps import Steps
from colony.ledger.service import request_timeout_s

# The longest key accepted, in characters.
idempotency_key_chars_max = 255


def transfer_id_for(scope: str, key: str) -> int:
    """A ledger transfer id fixed by the key: a retried request resubmits the same transfer."""
    digest = hashlib.blake2b(f"{scope}\x00{key}".encode(), digest_size=16).digest()
    return (int.from_bytes(digest, "big") >> 2) | (1 << 126)


@dataclass(frozen=True, slots=True)
class KeptElsewhere:
    """A handler's answer that needs no record here: what the handler stored itself (a
    payment's record, docs/adr/0033) gives it again, so the key's claim is only dropped.
    `replayed`: it is such an answer given again."""

    status: int
    payload: dict[str, object]
    replayed: bool = False


# What a handler answers: a status and body to keep under the key, or one kept elsewhere.
Handled = tuple[int, dict[str, object]] | KeptElsewhere


def request_hash(request: object) -> str:
    """The SHA-256 by which a key's requests are told apart: the same body, the same hash."""
    return hashlib.sha256(hashed_json(request).encode()).hexdigest()


def run(
    store: ApiStore,
    clock: Clock,
    scope: str,
    key: str | None,
    request: object,
    handler: Callable[[], Handled],
    secret_fields: tuple[str, ...] = (),
    *,
    request_sha256: str | None = None,
) -> JSONResponse:
    """Serve `handler` once per key. `secret_fields` (a new token, an API key) are in the first
    response only: the stored copy never holds them, so a replay shows the record without its
    secret, and the database never holds a credential in clear. `request_sha256`: the
    request's hash, when the caller has it already."""
    sha256 = request_sha256 or request_hash(request)
    replayed = _begin(store, clock, scope, key, sha256)
    if replayed is not None:
        return replayed
    assert key is not None
    try:
        handled = handler()
    except BaseException as exc:
        handled = _answer_to(exc, store, scope, key)
    if isinstance(handled, KeptElsewhere):
        return _kept_elsewhere(handled, store, scope, key)
    status, payload = handled
    encoded, stored = _encoded(payload, secret_fields)
    store.finish(scope, key, status, stored)
    return EncodedJSON(encoded, status_code=status)


async def run_awaited(
    store: ApiStore,
    clock: Clock,
    scope: str,
    key: str | None,
    request_sha256: str,
    handler: Callable[[], Steps[Handled]],
) -> JSONResponse:
    """As `run`, on the event loop: `handler`'s steps and the answer's commit are awaited
    (api/steps.py), no thread held while they are made durable. A claim that may wait on
    another process (`colony serve --workers`) is made on a thread of the pool."""
    if store.claims_cross_processes:
        replayed = await run_in_threadpool(_begin, store, clock, scope, key, request_sha256)
    else:
        replayed = _begin(store, clock, scope, key, request_sha256)
    if replayed is not None:
        return replayed
    assert key is not None
    try:
        handled = await awaited(handler(), request_timeout_s)
    except BaseException as exc:
        if not _kept_as_answer(exc):
            await result_of(store.release_later(scope, key), request_timeout_s)
            raise
        handled = _answer_to(exc, store, scope, key)
    if isinstance(handled, KeptElsewhere):
        await result_of(store.release_later(scope, key), request_timeout_s)
        return _answered_elsewhere(handled)
    status, payload = handled
    encoded, stored = _encoded(payload, ())
    await result_of(store.finish_later(scope, key, status, stored), request_timeout_s)
    return EncodedJSON(encoded, status_code=status)


def _begin(
    store: ApiStore, clock: Clock, scope: str, key: str | None, request_hash: str
) -> JSONResponse | None:
    """Claim the key for this request: None to serve it, or the answer already given (a
    replay), or an ApiError raised (no key, a key too long or reused, one in progress)."""
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
    state, status, body = store.begin(scope, key, request_hash, clock.now_ns())
    if state == "different":
        raise key_reused()
    if state == "same":
        if status is None:
            raise ApiError(409, "idempotency_key_in_use", "a request with this key is in progress")
        assert body is not None
        return EncodedJSON(
            body.encode(), status_code=status, headers={"Idempotent-Replayed": "true"}
        )
    return None


def key_reused() -> ApiError:
    """The refusal of a key used before for another request."""
    return ApiError(
        409,
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request",
        param="Idempotency-Key",
    )


def _answer_to(
    exc: BaseException, store: ApiStore, scope: str, key: str
) -> tuple[int, dict[str, object]]:
    """The answer to keep for a handler that raised `exc`, or `exc` raised again with the
    claim released (a refusal for now, or a crash of ours: a retry must run again)."""
    if _kept_as_answer(exc):
        assert isinstance(exc, ApiError)
        return exc.status, exc.body()
    # "Not now" is no answer to keep: a retry with the same key after the wait must run
    # again, not replay the refusal for a day. Nor is a crash of ours an answer.
    store.release(scope, key)
    raise exc


def _kept_as_answer(exc: BaseException) -> bool:
    """Whether a handler's exception is an answer to keep under its key (`_answer_to`)."""
    return isinstance(exc, ApiError) and exc.retry_after_s is None


def _kept_elsewhere(handled: KeptElsewhere, store: ApiStore, scope: str, key: str) -> JSONResponse:
    """Answer without a record here: the handler's own is durable, so the claim goes."""
    store.release(scope, key)
    return _answered_elsewhere(handled)


def _answered_elsewhere(handled: KeptElsewhere) -> JSONResponse:
    """The response of an answer the handler kept itself."""
    headers = {"Idempotent-Replayed": "true"} if handled.replayed else None
    return EncodedJSON(_encode(handled.payload), status_code=handled.status, headers=headers)


def _encoded(payload: dict[str, object], secret_fields: tuple[str, ...]) -> tuple[bytes, str]:
    """The answer encoded once, for the response and the record alike (a batch answer is
    8,190 results), and the record's copy without `secret_fields`."""
    encoded = _encode(payload)
    if any(name in payload for name in secret_fields):
        stored = _encode({k: v for k, v in payload.items() if k not in secret_fields})
    else:
        stored = encoded
    return encoded, stored.decode()


def public_scope(*named: str) -> str:
    """Where a caller without a credential keeps its Idempotency-Keys: what its request names
    (a phone number and currency, a QR payload), hashed. One namespace for every stranger
    would let one stranger's key answer another's request (409, or a replay of its answer),
    and an address is no caller (many share one, one moves between them). Naming the same
    thing, two requests are the same caller's as far as anyone can tell."""
    named_hash = hashlib.sha256("\x1f".join(named).encode()).hexdigest()[:32]
    return f"public:{named_hash}"


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A request's Idempotency-Key (None when it sent none), bound to where answers are kept:
    what a route is given by the `Idempotent` dependency."""

    store: ApiStore
    clock: Clock
    key: str | None

    def transfer_id(self, scope: str) -> int:
        """The ledger transfer id this key fixes for `scope`'s request (`transfer_id_for`)."""
        return transfer_id_for(scope, self.key or "")

    def run(
        self,
        scope: str,
        request: object,
        handler: Callable[[], Handled],
        secret_fields: tuple[str, ...] = (),
        *,
        request_sha256: str | None = None,
    ) -> JSONResponse:
        """Serve `handler` once for this key in `scope` (`run`)."""
        return run(
            self.store,
            self.clock,
            scope,
            self.key,
            request,
            handler,
            secret_fields,
            request_sha256=request_sha256,
        )

    async def run_awaited(
        self, scope: str, request_sha256: str, handler: Callable[[], Steps[Handled]]
    ) -> JSONResponse:
        """Serve `handler`'s steps once for this key in `scope`, on the event loop
        (`run_awaited`)."""
        return await run_awaited(self.store, self.clock, scope, self.key, request_sha256, handler)


class EncodedJSON(JSONResponse):
    """A JSON response whose body is already encoded."""

    def render(self, content: object) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def _encode(payload: dict[str, object]) -> bytes:
    """As Starlette's JSONResponse encodes, with an encoder built once (api/json_bodies.py)."""
    return response_json(payload).encode()
