"""Reading a file an operator names (a trained model, a partner's statement): bounded, and
every way it can be wrong said as `InvalidInput` naming the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

from colony.kernel.errors import InvalidInput

T = TypeVar("T")


def read_json_file(path: Path, bytes_max: int, meaning: Callable[[object], T]) -> T:
    """What the JSON document in the file at `path`, at most `bytes_max` bytes long, means
    to `meaning` (a model's parser), whose `InvalidInput` is given the file's name."""
    text = read_bounded(path, bytes_max)
    try:
        document: object = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{path}: not JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput(f"{path}: not JSON Colony reads: nested too deeply") from None
    try:
        return meaning(document)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc}") from None


def read_bounded(path: Path, bytes_max: int) -> bytes:
    """The bytes of the file at `path`, refused past `bytes_max` (read no further)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(bytes_max + 1)
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None
    if len(data) > bytes_max:
        raise InvalidInput(f"{path}: larger than {bytes_max} bytes")
    return data


def read_text_file(path: Path, bytes_max: int) -> str:
    """The UTF-8 text of the file at `path`, at most `bytes_max` bytes long."""
    data = read_bounded(path, bytes_max)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{path} line {line}: not UTF-8 text ({exc.reason})") from None


def read_packaged_json(package: str, name: str) -> object:
    """The JSON document a Colony package ships as `name` (a default model): part of the
    release, so a broken one is a bug, not an operator's input."""
    return json.loads((resources.files(package) / name).read_text(encoding="utf-8"))
