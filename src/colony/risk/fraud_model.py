"""The trained fraud model (docs/adr/0059): gradient-boosted trees read from a JSON file and
scored one event at a time in plain Python, without scikit-learn.

A model is a list of trees, each as parallel arrays (feature, threshold, left, right,
missing-goes-left, value): the arrays scikit-learn's HistGradientBoostingClassifier keeps
in its predictors, copied out by `training.py`. When a model is first used its trees are
walked in C where the extension `_trees` was built (docs/adr/0100), else compiled into one
Python function of nested comparisons, which gives the same sum and is the reference the C
is tested against; the leaves' values and the baseline sum to log-odds, whose logistic is
the score. One event is a few hundred comparisons: far cheaper than a call into
scikit-learn for one row (its set-up and threads per call; 126 ms on a loaded 2-core
machine, docs/benchmarks.md).

Scores are probabilities, not money: floats are fine here; the score a rule reads is an
integer per mille.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from colony.kernel.compiled import compiled_or_none
from colony.kernel.errors import InvalidInput
from colony.kernel.json_file import read_json_file, read_packaged_json
from colony.risk.model import Channel, Features, RiskEvent
from colony.risk.usd_units import minor_per_usd

_log = logging.getLogger(__name__)

DEFAULT_MODEL_FILE = "fraud_model_default.json"
# The largest model file read, in bytes.
model_file_bytes_max = 4 * 1024 * 1024
_NAN = float("nan")

# The model's inputs, in the order of its vector; a model file names them and must agree.
FEATURE_NAMES = (
    "amount_log10_usd",  # the amount in US dollars (usd_units.py, docs/adr/0066), log10
    "amount_to_mean",  # against the wallet's own mean amount (missing: no history)
    "history_count",
    "wallet_count_1m",
    "wallet_count_1h",
    "wallet_count_24h",
    "spend_24h_to_mean",  # the wallet's 24 h spend against its mean amount
    "device_count_1h",
    "merchant_count_1m",
    "payee_seen",
    "device_seen",
    "travel_kmh",
    "home_km",
    "hour_local",
    "merchant_refund_pm",
    "merchant_payments",
    "wallet_refunds",
    "wallet_refunds_to_history",  # refunds received against payments made
    "received_24h_to_amount",  # P2P money in over 24 h against this amount
    "channel_p2p",
    "channel_withdrawal",
    "wallet_age_h",
)


def vector(event: RiskEvent, f: Features) -> list[float]:
    """The model's inputs for `event` and what the counters knew just before it."""
    amount = event.amount_minor
    mean = f.history_sum_minor / f.history_count if f.history_count else 0.0
    return [
        math.log10(max(1, amount)) - math.log10(minor_per_usd(event.currency)),
        amount / mean if mean > 0 else _NAN,
        f.history_count,
        f.wallet_count_1m,
        f.wallet_count_1h,
        f.wallet_count_24h,
        f.wallet_sum_24h_minor / mean if mean > 0 else _NAN,
        f.device_count_1h,
        f.merchant_count_1m,
        1.0 if f.payee_seen else 0.0,
        1.0 if f.device_seen else 0.0,
        _NAN if f.travel_kmh is None else f.travel_kmh,
        _NAN if f.home_km is None else f.home_km,
        f.hour_local,
        f.merchant_refund_pm(),
        f.merchant_payments,
        f.wallet_refunds,
        f.wallet_refunds / max(1, f.history_count),
        f.received_24h_minor / max(1, amount),
        1.0 if event.channel is Channel.p2p else 0.0,
        1.0 if event.channel is Channel.withdrawal else 0.0,
        f.wallet_age_s / 3_600,
    ]


@dataclass(frozen=True)
class Tree:
    feature: tuple[int, ...]  # per node; -1 at a leaf
    threshold: tuple[float, ...]  # go left when the value is <= it
    left: tuple[int, ...]
    right: tuple[int, ...]
    missing_left: tuple[bool, ...]  # where a missing value (NaN) goes
    value: tuple[float, ...]  # a leaf's log-odds


@dataclass(frozen=True)
class FraudModel:
    version: str
    trained_at: str
    baseline: float
    trees: tuple[Tree, ...]
    training: dict[str, object]  # how it was trained and what it reached, for the record

    @functools.cached_property
    def _leaves_sum(self) -> Callable[[list[float]], float]:
        """The trees' sum, by the path chosen when the model first scores (`engine`)."""
        if engine is None:
            return _compiled(self.trees)
        return functools.partial(engine.leaves_sum, *packed(self.trees))

    def probability(self, x: list[float]) -> float:
        """The probability of fraud for the inputs `x` (`vector`): the logistic of the
        baseline and every tree's leaf."""
        raw = self.baseline + self._leaves_sum(x)
        if raw < -50:
            return 0.0
        return 1 / (1 + math.exp(-raw))

    def score_pm(self, event: RiskEvent, features: Features) -> int:
        """The score of `event`, per mille (0-1000)."""
        return round(1_000 * self.probability(vector(event, features)))


def _tree_source(tree: Tree, node: int, indent: str, out: list[str]) -> None:
    """One tree as nested `if`s adding its leaf's value to `t` (a missing value, NaN, is the
    one unequal to itself and goes where the tree sends it)."""
    f = tree.feature[node]
    if f < 0:
        out.append(f"{indent}t += {tree.value[node]!r}")
        return
    test = f"x{f} <= {_literal(tree.threshold[node])}"
    if tree.missing_left[node]:
        test = f"{test} or x{f} != x{f}"
    out.append(f"{indent}if {test}:")
    _tree_source(tree, tree.left[node], indent + " ", out)
    out.append(f"{indent}else:")
    _tree_source(tree, tree.right[node], indent + " ", out)


def _literal(number: float) -> str:
    """A float as source: repr, but infinity by the name the compiled function is given."""
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    return repr(number)


def _compiled(trees: tuple[Tree, ...]) -> Callable[[list[float]], float]:
    """The trees as one Python function of the inputs, compiled once: a comparison a node
    and no loop, about ten times faster than walking arrays. The source holds only the
    model's numbers (ints and floats, checked when the file was read), `INF`, `float` and
    `x`. Each input a tree reads is a local variable of its own (`x3`), read once from the
    list: a node compares two locals, not an item of a list (half the time again)."""
    used = sorted({f for tree in trees for f in tree.feature if f >= 0})
    # Every input read as a double first, as the model was trained on them and as the C
    # reads them: an int beyond 2**53 compares as its nearest double, not exactly, and one
    # too large for a double raises whether or not a tree reads it.
    lines = [
        "def leaves_sum(x):",
        " t = 0.0",
        " x = [float(v) for v in x]",
        *(f" x{f} = x[{f}]" for f in used),
    ]
    for tree in trees:
        _tree_source(tree, 0, " ", lines)
    lines.append(" return t")
    namespace: dict[str, Any] = {}
    source = compile("\n".join(lines), "<fraud model>", "exec")
    exec(source, {"__builtins__": {}, "INF": math.inf, "float": float}, namespace)
    leaves_sum: Callable[[list[float]], float] = namespace["leaves_sum"]
    return leaves_sum


# The C walk of the trees (_trees.c), or None: not built, its version not this code's, or
# switched off with COLONY_RISK_PURE=1. Read when a model first scores, so a test can set it
# to None to build a model that scores in Python.
PURE_ENV = "COLONY_RISK_PURE"
TREES_VERSION = 1
# One node as _trees.c reads it: feature, left, right, missing-goes-left, threshold, value.
_NODE = struct.Struct("=iiiidd")


def _load() -> ModuleType | None:
    trees = compiled_or_none(
        "colony.risk._trees", TREES_VERSION, PURE_ENV, "the fraud model's trees in C"
    )
    if trees is not None and _NODE.size != trees.NODE_BYTES:
        _log.warning("the fraud model's trees in C read nodes of another size: rebuild them")
        return None
    return trees


engine: ModuleType | None = _load()


def packed(trees: tuple[Tree, ...]) -> tuple[bytes, bytes]:
    """The trees as _trees.c reads them: every node in one array, each tree's children
    numbered from its first node's place, and the place of each tree's first node."""
    nodes: list[bytes] = []
    roots: list[int] = []
    for tree in trees:
        first = len(nodes)
        roots.append(first)
        for i, feature in enumerate(tree.feature):
            leaf = feature < 0
            nodes.append(
                _NODE.pack(
                    feature,
                    0 if leaf else first + tree.left[i],
                    0 if leaf else first + tree.right[i],
                    tree.missing_left[i],
                    tree.threshold[i],
                    tree.value[i],
                )
            )
    return b"".join(nodes), struct.pack(f"={len(roots)}i", *roots)


def model_json(model: FraudModel) -> dict[str, object]:
    return {
        "kind": "gradient_boosted_trees",
        "version": model.version,
        "trained_at": model.trained_at,
        "features": list(FEATURE_NAMES),
        "baseline": model.baseline,
        "trees": [
            {
                "feature": list(t.feature),
                "threshold": list(t.threshold),
                "left": list(t.left),
                "right": list(t.right),
                "missing_left": list(t.missing_left),
                "value": list(t.value),
            }
            for t in model.trees
        ],
        "training": model.training,
    }


def _tree(doc: object, index: int) -> Tree:
    if not isinstance(doc, dict):
        raise InvalidInput(f"tree {index}: not an object")
    try:
        tree = Tree(
            tuple(_whole(v) for v in doc["feature"]),
            tuple(float(v) for v in doc["threshold"]),
            tuple(_whole(v) for v in doc["left"]),
            tuple(_whole(v) for v in doc["right"]),
            tuple(bool(v) for v in doc["missing_left"]),
            tuple(float(v) for v in doc["value"]),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"tree {index}: {exc!r}") from None
    nodes = len(tree.feature)
    arrays = (tree.threshold, tree.left, tree.right, tree.missing_left, tree.value)
    if nodes == 0 or any(len(a) != nodes for a in arrays):
        raise InvalidInput(f"tree {index}: its arrays differ in length or are empty")
    # A threshold may be infinite (every value one side, the missing ones the other).
    if any(math.isnan(v) for v in tree.threshold) or not all(map(math.isfinite, tree.value)):
        raise InvalidInput(f"tree {index}: a threshold that is NaN or a value not finite")
    for node in range(nodes):
        if not -1 <= tree.feature[node] < len(FEATURE_NAMES):
            raise InvalidInput(f"tree {index}, node {node}: no feature {tree.feature[node]}")
        if tree.feature[node] >= 0 and not (
            node < tree.left[node] < nodes and node < tree.right[node] < nodes
        ):
            raise InvalidInput(f"tree {index}, node {node}: a child outside the tree, or before it")
    return tree


def _whole(value: object) -> int:
    """A node's feature or child: an integer as written, never a number cut to one."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def model_of_json(doc: object) -> FraudModel:
    """The model a JSON document holds; `InvalidInput` naming what is wrong."""
    if not isinstance(doc, dict) or doc.get("kind") != "gradient_boosted_trees":
        raise InvalidInput("not a fraud model: kind must be gradient_boosted_trees")
    if doc.get("features") != list(FEATURE_NAMES):
        raise InvalidInput("the model's features are not this Colony's (train it again)")
    trees = doc.get("trees")
    if not isinstance(trees, list) or not trees:
        raise InvalidInput("a fraud model needs trees")
    try:
        baseline = float(doc["baseline"])
    except (KeyError, TypeError, ValueError):
        baseline = math.nan
    if not math.isfinite(baseline):
        raise InvalidInput("a fraud model needs a finite numeric baseline")
    training = doc.get("training", {})
    return FraudModel(
        str(doc.get("version", "")),
        str(doc.get("trained_at", "")),
        baseline,
        tuple(_tree(t, i) for i, t in enumerate(trees)),
        training if isinstance(training, dict) else {},
    )


def model_text(model: FraudModel) -> str:
    """The model as its file holds it (sorted keys, compact arrays, a final newline)."""
    return json.dumps(model_json(model), sort_keys=True, separators=(",", ":")) + "\n"


def load_model(path: Path) -> FraudModel:
    """The model in the file at `path`; `InvalidInput` when it is not one."""
    return read_json_file(path, model_file_bytes_max, model_of_json)


@functools.cache
def default_model() -> FraudModel:
    """The model Colony ships, trained on a seeded simulated market (docs/adr/0059)."""
    return model_of_json(read_packaged_json("colony.risk", DEFAULT_MODEL_FILE))
