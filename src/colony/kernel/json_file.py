"""Reading a JSON file an operator names (a trained model): bounded, and every way it can
be wrong said as `InvalidInput` naming the file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from colony.kernel.errors import InvalidInput


def read_json_file(path: Path, bytes_max: int) -> object:
    """The JSON document in the file at `path`, at most `bytes_max` bytes long."""
    try:
        text = path.read_bytes()[: bytes_max + 1]
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None
    if len(text) > bytes_max:
        raise InvalidInput(f"{path}: larger than {bytes_max} bytes")
    try:
        document: object = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{path}: not JSON: {exc}") from None
    return document


def read_packaged_json(package: str, name: str) -> object:
    """The JSON document a Colony package ships as `name` (a default model): part of the
    release, so a broken one is a bug, not an operator's input."""
    return json.loads((resources.files(package) / name).read_text(encoding="utf-8"))
