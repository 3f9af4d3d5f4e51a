"""Choosing a backend from a database URL: only the outer layers (CLI, API) call this."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from colony.kernel.clock import Clock, SystemClock
from colony.kernel.errors import InvalidInput
from colony.ledger.service import Ledger
from colony.storage.sqlite_journal import SqliteJournal

DEFAULT_DATABASE_URL = "sqlite:///var/colony.db"


def database_url_from_env(explicit: str | None) -> str:
    return explicit or os.environ.get("COLONY_DATABASE_URL") or DEFAULT_DATABASE_URL


def sqlite_path(url: str) -> Path:
    """The file behind a `sqlite:///relative/path.db` or `sqlite:////absolute/path.db` URL."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        raise InvalidInput(f"not a sqlite URL: {url!r}")
    if parsed.netloc:
        raise InvalidInput(f"sqlite URL must look like sqlite:///path/to/file.db, not {url!r}")
    path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
    if not path:
        raise InvalidInput(f"sqlite URL names no file: {url!r}")
    return Path(path)


def open_ledger(
    url: str,
    *,
    clock: Clock | None = None,
    synchronous: str = "FULL",
    auto_pulse: bool = True,
) -> Ledger:
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        journal = SqliteJournal(sqlite_path(url), synchronous=synchronous)
    elif scheme in ("postgresql", "postgres"):
        raise InvalidInput(f"{url!r}: the PostgreSQL backend is not built yet; use sqlite:///")
    else:
        raise InvalidInput(f"unknown database URL scheme {scheme!r} in {url!r}: use sqlite:///PATH")
    return Ledger(journal, clock or SystemClock(), auto_pulse=auto_pulse)
