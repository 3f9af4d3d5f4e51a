"""Every answer the API tests receive is held to the OpenAPI description: its status is one
the operation lists, and a JSON body matches the schema given for that status. So the
response models, which describe answers without checking them on the way out
(docs/adr/0025), are checked here against every answer the API tests provoke."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema_rs

_TEMPLATE_PARAMETER = re.compile(r"\{[^}/]+\}")


class Conformance:
    """An httpx response hook that fails the request when its answer breaks the spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._components = spec.get("components", {})
        self._operations: list[tuple[str, re.Pattern[str], dict[str, Any]]] = []
        # Literal paths before templated ones: /v1/wallets/me/devices before {wallet_id}.
        for path in sorted(spec["paths"], key=lambda p: p.count("{")):
            pattern = "".join(
                "[^/]+" if _TEMPLATE_PARAMETER.fullmatch(part) else re.escape(part)
                for part in re.split(r"(\{[^}/]+\})", path)
            )
            for method, op in spec["paths"][path].items():
                self._operations.append((method.upper(), re.compile(pattern), op))
        self._validators: dict[str, Any] = {}
        self.checked = 0

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        op = next(
            (
                op
                for method, pattern, op in self._operations
                if method == request.method and pattern.fullmatch(request.url.path)
            ),
            None,
        )
        if op is None:
            return  # not an operation of the API (the page, /docs, an unknown path)
        where = f"{request.method} {request.url.path}"
        status = str(response.status_code)
        described = op["responses"].get(status)
        assert described is not None, f"{where} answered {status}, which its description omits"
        schema = described.get("content", {}).get("application/json", {}).get("schema")
        if schema is None or not response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            return
        response.read()
        errors = [e.message for e in self._validator(schema).iter_errors(response.json())]
        assert not errors, f"{where} {status}: {errors[:3]} in {response.text[:500]}"
        self.checked += 1

    def _validator(self, schema: dict[str, Any]) -> Any:
        key = repr(schema)
        if key not in self._validators:
            rooted = dict(schema) | {"components": self._components}
            self._validators[key] = jsonschema_rs.Draft202012Validator(rooted)
        return self._validators[key]
