"""A scorecard model as a JSON file: read, written, and the default one Colony ships.

The default (`scorecard_default.json` beside this module) was trained on a seeded simulated
market by the commands in docs/adr/0046, so a fresh install scores without training; an
operator trains on their own outcomes and points `COLONY_CREDIT_MODEL` at the file."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from colony.credit.scorecard import Model, model_json, model_of_json
from colony.kernel.json_file import read_json_file, read_packaged_json

DEFAULT_MODEL_FILE = "scorecard_default.json"
# The largest model file read, in bytes: a scorecard is a few kilobytes.
model_file_bytes_max = 1024 * 1024


def load_model(path: Path) -> Model:
    """The model in the JSON file at `path`; `InvalidInput` when it is not one."""
    return read_json_file(path, model_file_bytes_max, model_of_json)


@functools.cache
def default_model() -> Model:
    """The model Colony ships, trained on a seeded simulated market."""
    return model_of_json(read_packaged_json("colony.credit", DEFAULT_MODEL_FILE))


def model_text(model: Model) -> str:
    """The model as the JSON a file holds (sorted keys, two-space indent, a final newline)."""
    return json.dumps(model_json(model), indent=2, sort_keys=True) + "\n"
