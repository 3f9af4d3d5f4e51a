"""Files a command writes where its operator says (--out, --csv, --png, ...): refused before
the work when they cannot be written, so a long run or a database's change is not made for
nothing; a write that fails all the same is named with its reason, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

from colony.cli.ledger_commands import fail


def writable(path: Path, option: str) -> Path:
    """`path`, unless it is a folder, its folder does not exist, or neither may be written."""
    if path.is_dir():
        reason = "it is a directory"
    elif not path.parent.is_dir():
        reason = f"no folder {path.parent}"
    elif not os.access(path if path.exists() else path.parent, os.W_OK):
        reason = "permission denied"
    else:
        return path
    raise fail(f"{option}: cannot write {path}: {reason}")


def write_file(path: Path, content: str | bytes, option: str) -> None:
    """`content` into the file at `path` (text as UTF-8)."""
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as exc:
        raise fail(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
