"""How an operation's answers are described in the OpenAPI description, without being
checked on the way out.

A route answers with a JSON body it made itself (`idempotency.run` encodes it once, for the
record and the response), so the model of an answer is declared for the description only:
validating every answer again through its model would cost the hot path time and change
nothing. `DescribedRoute` keeps FastAPI from taking a route's return annotation as its
response model; `answers` names the model of the success and the errors the route may give
beyond those every operation may (`api/openapi.py` adds those).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter
from fastapi.datastructures import DefaultPlaceholder
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel

from colony.api import scopes
from colony.api.errors import errors


class DescribedRoute(APIRoute):
    """A route without a response model unless one is given: its answers are described by
    `responses=answers(...)`."""

    def __init__(
        self, path: str, endpoint: Callable[..., Any], *, response_model: Any = None, **kw: Any
    ) -> None:
        if isinstance(response_model, DefaultPlaceholder):
            response_model = None
        super().__init__(path, endpoint, response_model=response_model, **kw)


def operation_id(route: APIRoute) -> str:
    """An operation's id is its route function's name: `create_payment`, `list_payments`."""
    return route.name


def product_router(
    tag: str,
    dependencies: Sequence[Depends] = (),
    *,
    operator_scopes: Mapping[str, str] | None = None,
    merchant_scopes: Mapping[str, str] | None = None,
    partner_scopes: Mapping[str, str] | None = None,
) -> APIRouter:
    """A product's router: its routes tagged with the product, described by `answers`, and
    named by their functions; `dependencies` apply to every route (the caller, say). The
    `*_scopes` are the product's own scopes (name: what a key holding it may do), declared
    here so that its routes may ask for them and keys be made with them."""
    for kind, declared in (
        ("operator", operator_scopes),
        ("merchant", merchant_scopes),
        ("partner", partner_scopes),
    ):
        scopes.declare(kind, declared or {})
    return APIRouter(
        tags=[tag],
        dependencies=dependencies,
        route_class=DescribedRoute,
        generate_unique_id_function=operation_id,
    )


def answers(status: int, model: type[BaseModel], *error_statuses: int) -> dict[int | str, Any]:
    """The success (`status`, with `model`) and the errors particular to one operation."""
    summary = (model.__doc__ or model.__name__).strip().splitlines()[0]
    return {status: {"model": model, "description": summary}} | errors(*error_statuses)
