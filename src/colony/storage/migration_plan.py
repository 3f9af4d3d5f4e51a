"""Numbered schema migrations: which files ship, which a database has, and what is left to do.

A migration is one SQL file `NNNN_words.sql` in `storage/migrations/<backend>/`, numbered from
0001 without gaps. A database records each one it applied in its `schema_migrations` table
(version, name, SHA-256 of the file, when). Before applying anything, the recorded list is
checked against the shipped one, and a database that does not fit is refused, never guessed
at: a migration edited after it was applied, a migration this code does not ship (the
database is newer than the code), or a hole in the recorded versions.
The backends apply the plan: `sqlite_migrate.py`, `postgres_migrate.py`
(docs/adr/0012-schema-migrations.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from colony.kernel.clock import NS_PER_S
from colony.kernel.errors import ColonyError, InvalidInput

BACKENDS = ("sqlite", "postgresql")
MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")


class MigrationRefused(ColonyError):
    """The database's recorded migrations do not fit the shipped ones; nothing was applied."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str  # SHA-256 of the file's text (line ends as \n), hex

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


@dataclass(frozen=True)
class Applied:
    """One row of a database's `schema_migrations`."""

    version: int
    name: str
    checksum: str
    applied_at: dt.datetime  # UTC

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def checksum_of(text: str) -> str:
    # Line ends are normalised so that a checkout with CRLF line ends has the same checksum.
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def load(folder: Traversable) -> list[Migration]:
    """The migrations in `folder`, by version; a misnamed file or a gap is refused."""
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = MIGRATION_FILE.match(entry.name)
        if match is None:
            raise InvalidInput(
                f"{folder}/{entry.name}: a migration file is named NNNN_words.sql "
                "(four digits, then lower-case words joined by _)"
            )
        version = int(match[1])
        if version in found:
            raise InvalidInput(
                f"{folder}: two migrations numbered {version:04d} "
                f"({found[version].label}.sql and {entry.name})"
            )
        text = entry.read_text(encoding="utf-8")
        found[version] = Migration(version, match[2], text, checksum_of(text))
    expected = list(range(1, len(found) + 1))
    if sorted(found) != expected:
        missing = sorted(set(expected) - set(found))
        raise InvalidInput(
            f"{folder}: migrations are numbered from 0001 without gaps; "
            f"{', '.join(f'{v:04d}' for v in missing)} missing"
        )
    return [found[v] for v in expected]


@functools.cache
def shipped(backend: str) -> tuple[Migration, ...]:
    """The migrations this Colony ships for `backend` ("sqlite" or "postgresql")."""
    if backend not in BACKENDS:
        raise ValueError(f"no migrations for backend {backend!r}")
    return tuple(load(resources.files("colony.storage.migrations") / backend))


def migrations_for(backend: str, folder: Traversable | None) -> list[Migration]:
    """The shipped migrations of `backend`, or those in `folder` when given (for tests)."""
    return load(folder) if folder is not None else list(shipped(backend))


def problems(migrations: list[Migration], applied: list[Applied], label: str) -> list[str]:
    """Why the database at `label` with `applied` cannot be upgraded to `migrations`."""
    found: list[str] = []
    by_version = {m.version: m for m in migrations}
    last = migrations[-1].label if migrations else "none"
    for a in applied:
        m = by_version.get(a.version)
        if m is None:
            found.append(
                f"{label} holds migration {a.label}, which this Colony does not ship (its last "
                f"is {last}): the database was upgraded by a newer Colony; run that one"
            )
        elif (a.name, a.checksum) != (m.name, m.checksum):
            found.append(
                f"{label}: migration {a.label} was applied with sha256 {a.checksum[:12]}, but "
                f"the shipped {m.label}.sql has {m.checksum[:12]}: a released migration was "
                "edited; restore the file and make the change in a new migration"
            )
    versions = {a.version for a in applied}
    holes = [v for v in range(1, max(versions, default=0)) if v not in versions]
    if holes:
        found.append(
            f"{label} lacks migration {', '.join(f'{v:04d}' for v in holes)} while later ones "
            "are applied: it was changed by hand or by a broken upgrade, and cannot be "
            "upgraded safely"
        )
    return found


def pending(migrations: list[Migration], applied: list[Applied], label: str) -> list[Migration]:
    """What is left to apply, in order; `MigrationRefused` when the database does not fit."""
    found = problems(migrations, applied, label)
    if found:
        raise MigrationRefused("; ".join(found))
    return migrations[len(applied) :]


def apply_pending(
    migrations: list[Migration],
    applied: list[Applied],
    label: str,
    apply_next: Callable[[], Migration | None],
    *,
    dry_run: bool,
) -> list[Migration]:
    """Apply the pending migrations one by one with a backend's `apply_next` (which looks
    again under its lock and returns None once another process applied the rest); returns
    those applied, or with `dry_run` those that would be."""
    todo = pending(migrations, applied, label)
    if dry_run:
        return todo
    done: list[Migration] = []
    for _ in todo:
        migration = apply_next()
        if migration is None:
            break
        done.append(migration)
    return done


def applied_at_of(now_ns: int) -> dt.datetime:
    seconds, ns = divmod(now_ns, NS_PER_S)
    return dt.datetime.fromtimestamp(seconds, dt.UTC) + dt.timedelta(microseconds=ns // 1000)
