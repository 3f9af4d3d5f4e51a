"""The fraud model's trees walked in C and in Python give the same sum (docs/adr/0100).

The Python function (`fraud_model._compiled`) is the reference: the C walk (`_trees.c`)
must give the very same double for any inputs, missing and infinite ones included, on the
shipped model and on small models made by hand; a malformed packing raises, never reads
outside its arrays. Where the C was not built (no C compiler) these skip loudly, and fail
under CI, which builds it.
"""

from __future__ import annotations

import math
import os
import struct
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colony.risk import fraud_model
from colony.risk.fraud_model import FEATURE_NAMES, FraudModel, Tree, default_model, packed


@pytest.fixture
def trees_c() -> ModuleType:
    if fraud_model.engine is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the fraud model's trees in C are not built: CI builds them")
        pytest.skip(
            "the fraud model's trees in C are not in use here"
            " (not built: run scripts/bootstrap; or COLONY_RISK_PURE is set)"
        )
    return fraud_model.engine


def _model(*trees: Tree) -> FraudModel:
    return FraudModel("t", "now", 0.0, trees, {})


# One split on input 0 at 1.5, missing values sent left; its leaves 0.25 and -0.5.
_LEFT_MISSING = Tree(
    (0, -1, -1), (1.5, 0.0, 0.0), (1, 0, 0), (2, 0, 0), (True, False, False), (0.0, 0.25, -0.5)
)
# The same split with missing values sent right, then a split on input 2 at infinity.
_RIGHT_MISSING = Tree(
    (0, 2, -1, -1, -1),
    (1.5, math.inf, 0.0, 0.0, 0.0),
    (1, 2, 0, 0, 0),
    (4, 3, 0, 0, 0),
    (False, False, False, False, False),
    (0.0, 0.0, 1.0, 2.0, 4.0),
)  # fmt: skip


@pytest.mark.parametrize(
    ("x0", "x2", "expected"),
    [
        (1.0, 0.0, 0.25 + 1.0),  # left, then left (anything <= infinity)
        (1.5, 0.0, 0.25 + 1.0),  # at the threshold goes left
        (2.0, 0.0, -0.5 + 4.0),  # right in both
        (math.nan, 0.0, 0.25 + 4.0),  # missing: left in the first, right in the second
        (1.0, math.nan, 0.25 + 2.0),  # missing at the infinite threshold goes right
        (1.0, math.inf, 0.25 + 1.0),
        (-math.inf, 7, 0.25 + 1.0),  # an int input
    ],
)
def test_a_worked_model_scores_the_same_by_both_paths(
    trees_c: ModuleType, x0: float, x2: float, expected: float
) -> None:
    trees = (_LEFT_MISSING, _RIGHT_MISSING)
    x = [x0, 0.0, x2]
    in_python = fraud_model._compiled(trees)(x)
    in_c = trees_c.leaves_sum(*packed(trees), x)
    assert in_python == expected
    assert in_c == expected


_INPUT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**60), 2**60),  # beyond 2**53 too: both read it as its nearest double
    st.integers(10**308, 10**309),  # too large for a double: both raise
    st.booleans(),
    st.sampled_from([0.0, 1.0, math.nan, 0.5, 10.0, 1000.0]),
)


def _outcome(score: object, x: list[float]) -> object:
    try:
        return score(x)  # type: ignore[operator]
    except OverflowError:
        return OverflowError


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(x=st.lists(_INPUT, min_size=len(FEATURE_NAMES), max_size=len(FEATURE_NAMES)))
def test_the_shipped_model_sums_the_same_double_by_both_paths(
    trees_c: ModuleType, x: list[float]
) -> None:
    model = default_model()
    nodes, roots = packed(model.trees)
    in_c = _outcome(lambda v: trees_c.leaves_sum(nodes, roots, v), x)
    assert in_c == _outcome(fraud_model._compiled(model.trees), x)


def test_an_int_past_2_to_the_53_is_read_as_its_double_by_both_paths(
    trees_c: ModuleType,
) -> None:
    # Exactly, 2**53 + 1 is above the threshold 2.0**53; as a double it equals it: left.
    split = Tree(
        (0, -1, -1), (2.0**53, 0.0, 0.0), (1, 0, 0), (2, 0, 0), (False,) * 3, (0.0, -1.0, 1.0)
    )
    x = [2**53 + 1]
    assert fraud_model._compiled((split,))(x) == -1.0  # type: ignore[arg-type]
    assert trees_c.leaves_sum(*packed((split,)), x) == -1.0


def test_inputs_changed_while_read_raise_and_crash_nothing(trees_c: ModuleType) -> None:
    class Shrinks:
        """An input whose conversion empties the list being read."""

        def __init__(self, inputs: list[object]) -> None:
            self.inputs = inputs

        def __float__(self) -> float:
            self.inputs.clear()
            return 0.0

    model = default_model()
    x: list[object] = [0.0] * len(FEATURE_NAMES)
    x[0] = Shrinks(x)
    with pytest.raises(ValueError, match="the inputs changed while read"):
        trees_c.leaves_sum(*packed(model.trees), x)


def test_a_model_scores_in_python_when_the_c_is_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fraud_model, "engine", None)
    model = _model(_LEFT_MISSING)
    assert model._leaves_sum.__name__ == "leaves_sum"  # the compiled Python function
    assert model.probability([math.nan]) == 1 / (1 + math.exp(-0.25))


def test_a_malformed_packing_raises_and_reads_nothing_outside(trees_c: ModuleType) -> None:
    nodes, roots = packed((_LEFT_MISSING,))
    node = struct.Struct("=iiiidd")
    x = [1.0]
    with pytest.raises(ValueError, match="wrong size"):
        trees_c.leaves_sum(nodes[:-1], roots, x)
    with pytest.raises(ValueError, match="a root outside the nodes"):
        trees_c.leaves_sum(nodes, struct.pack("=i", 3), x)
    looped = node.pack(0, 0, 2, 1, 1.5, 0.0) + nodes[node.size :]
    with pytest.raises(ValueError, match="a child outside the tree"):
        trees_c.leaves_sum(looped, roots, x)
    with pytest.raises(IndexError, match="an input the list lacks"):
        trees_c.leaves_sum(nodes, roots, [])
    with pytest.raises(TypeError):
        trees_c.leaves_sum(nodes, roots, (1.0,))
    with pytest.raises(TypeError):
        trees_c.leaves_sum(nodes, roots, ["1.0"])
    with pytest.raises(OverflowError):
        trees_c.leaves_sum(nodes, roots, [10**400])
