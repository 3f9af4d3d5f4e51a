"""The JSON encoders built once give the bytes the general ones give, on any JSON value."""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from colony.api.idempotency import request_hash
from colony.api.json_bodies import hashed_json, response_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_a_response_body_is_what_starlette_renders(value: object) -> None:
    assert response_json(value).encode() == JSONResponse(value).body


@given(json_values)
def test_a_hashed_request_is_what_json_dumps_sorted_gives(value: object) -> None:
    assert hashed_json(value) == json.dumps(value, sort_keys=True)


@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_a_request_hash_is_the_general_encoders(request: dict[str, object]) -> None:
    expected = json.dumps(request, sort_keys=True).encode()
    assert request_hash(request) == hashlib.sha256(expected).hexdigest()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_response_refuses_what_json_cannot_say(value: float) -> None:
    with pytest.raises(ValueError):
        JSONResponse({"x": value})
    with pytest.raises(ValueError):
        response_json({"x": value})
    assert hashed_json([value]) == json.dumps([value], sort_keys=True)


def test_what_is_not_json_is_refused_as_the_general_encoder_refuses() -> None:
    with pytest.raises(TypeError):
        response_json({"x": object()})
    with pytest.raises(TypeError):
        hashed_json({1: 2, "a": 3})  # keys of mixed kinds cannot be sorted, as json.dumps says
    with pytest.raises(TypeError):
        json.dumps({1: 2, "a": 3}, sort_keys=True)
