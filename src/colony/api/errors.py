"""One error shape for every failure: {"error": {"type", "code", "message", "param"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from colony.kernel.errors import StorageUnavailable, UnstorableInput

logger = logging.getLogger("colony.api")
# Seconds a caller is asked to wait before retrying while storage is unavailable.
unavailable_retry_after_s = 1


class ErrorDetail(BaseModel):
    """What went wrong: `type` is the kind (`invalid_request_error`, `authentication_error`,
    `permission_error`, `payment_error`, `rate_limit_error`, `api_error`), `code` the reason
    a program can branch on, `param` the field or parameter at fault, if one is."""

    type: str
    code: str
    message: str
    param: str | None = Field(default=None)


class Error(BaseModel):
    """Every failure, whatever its status: `{"error": {...}}`."""

    error: ErrorDetail


# What each status means in Colony's answers, as the OpenAPI description says it.
ERROR_STATUSES: dict[int, str] = {
    400: "The request is malformed, or names a parameter wrongly (`param` says which).",
    401: "No valid credential of the kind this operation takes.",
    402: "Refused for lack of money or over a limit (`payment_error`).",
    403: "The key is valid but lacks the scope this operation needs (`missing_scope`).",
    404: "Nothing of that id that the caller may see.",
    409: "In conflict with what is already there, or the Idempotency-Key was used for "
    "another request, or is still being served.",
    413: "The request body is larger than this operation takes (`request_too_large`).",
    422: "Well-formed, but the rates on hand cannot price it.",
    429: "Too many requests: retry after `Retry-After` seconds.",
    500: "Something went wrong on Colony's side (a bug): the error object, never a trace.",
    503: "Storage (or FX pricing) is unavailable for a moment, or the server is serving as "
    "many payments as it can (`server_busy`): retry after `Retry-After` seconds, a POST with "
    "the same Idempotency-Key.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The error answers an operation may give beyond those every operation may, for its
    OpenAPI description (`responses=`)."""
    return {s: {"model": Error, "description": ERROR_STATUSES[s]} for s in statuses}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        """`retry_after_s`: a refusal for now (429), answered with `Retry-After` and never
        kept as the Idempotency-Key's answer."""
        super().__init__(message)
        self.status, self.code, self.message, self.type, self.param = (
            status,
            code,
            message,
            type_,
            param,
        )
        self.retry_after_s = retry_after_s

    def response(self) -> JSONResponse:
        """The error in Colony's shape, with `Retry-After` when it is a refusal for now."""
        if self.retry_after_s is None:
            return JSONResponse(self.body(), status_code=self.status)
        headers = {"Retry-After": str(self.retry_after_s)}
        return JSONResponse(self.body(), status_code=self.status, headers=headers)

    def body(self) -> dict[str, object]:
        return {
            "error": {
                "type": self.type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        }


def nested_too_deep() -> ApiError:
    """A JSON body nested past what Python's reader follows (its recursion limit): bad input
    whoever read it, FastAPI for a request model or a route reading its own body."""
    return ApiError(400, "parameter_invalid", "the JSON body is nested too deeply to read")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [
            str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "header")
        ]
        error = ApiError(
            400,
            "parameter_invalid",
            str(first.get("msg", "invalid request")),
            param=".".join(location) or None,
        )
        return error.response()

    @app.exception_handler(UnstorableInput)
    async def unstorable(_: Request, exc: UnstorableInput) -> JSONResponse:
        # A value the edge's checks (api/input_limits.py) let through and the database
        # refused: bad input, which no retry mends, so never a 503 asking for one.
        logger.warning("unstorable input: %s", exc)
        error = ApiError(
            400,
            "parameter_invalid",
            "a value in the request is out of the range Colony can store",
        )
        return error.response()

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        # Python's JSON reader says where it gave up ("while decoding a JSON array"); any
        # other recursion past the limit is a bug of ours.
        if "JSON" not in str(exc):
            return await bug(request, exc)
        return nested_too_deep().response()

    @app.exception_handler(StorageUnavailable)
    async def unavailable(_: Request, exc: StorageUnavailable) -> JSONResponse:
        # Broken infrastructure that mends itself (a new ledger writer being elected, a
        # database reconnecting): the request had no effect, or one a retry with the same
        # Idempotency-Key finds, so the caller should simply try again shortly.
        logger.warning("storage unavailable: %s", exc)
        error = ApiError(
            503,
            "storage_unavailable",
            "Colony's storage is unavailable for a moment; retry with the same Idempotency-Key",
            type_="api_error",
            retry_after_s=unavailable_retry_after_s,
        )
        return error.response()

    @app.exception_handler(Exception)
    async def bug(_: Request, exc: Exception) -> JSONResponse:
        # A bug or broken infrastructure: say so in the one shape, and keep the detail in logs.
        logger.exception("unhandled error", exc_info=exc)
        error = ApiError(
            500, "internal_error", "something went wrong on Colony's side", type_="api_error"
        )
        return error.response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, RecursionError):  # FastAPI reading a model's body
            return nested_too_deep().response()
        code = {404: "resource_missing", 405: "method_not_allowed", 413: "request_too_large"}.get(
            exc.status_code, "http_error"
        )
        return ApiError(exc.status_code, code, str(exc.detail)).response()
