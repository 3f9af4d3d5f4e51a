"""Numbered schema migrations per package: which files ship, which a database has, what is left.

Each package that keeps tables ships its own migrations, `colony/<package>/migrations/<backend>/
NNNN_words.sql`, numbered from 0001 without gaps: the storage engine its journal's, each product
its own tables'. The runner finds them by walking the installed `colony` package (the engine
imports no product) and applies them package by package, the engine's first, then the others by
name; a package's migrations touch only its own tables, so their order across packages does not
matter. A database records each one it applied in its `schema_migrations` table (package,
version, name, SHA-256 of the file, when). Before applying anything, the recorded list is
checked against the shipped one, and a database that does not fit is refused, never guessed
at: a migration edited after it was applied, a migration this code does not ship (the
database is newer than the code), or a hole in a package's recorded versions.
A database recorded in the single numbering of earlier releases is mapped onto packages by
`released_numbering.py`. The backends apply the plan: `sqlite_migrate.py`, `postgres_migrate.py`
(docs/adr/0012-schema-migrations.md, docs/adr/0024-storage-engine-and-product-migrations.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from colony.kernel.clock import NS_PER_S
from colony.kernel.errors import ColonyError, InvalidInput
from colony.storage.released_numbering import RELEASED

BACKENDS = ("sqlite", "postgresql")
MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")
# The engine's own migrations (the ledger's journal) come first.
ENGINE = "storage"

# Where each package's migrations for one backend are: {package: folder}, in applying order.
Sources = Mapping[str, Traversable]


class MigrationRefused(ColonyError):
    """The database's recorded migrations do not fit the shipped ones; nothing was applied."""


@dataclass(frozen=True)
class Migration:
    package: str  # the colony package that ships it: "storage", "wallets", ...
    version: int
    name: str
    sql: str
    checksum: str  # SHA-256 of the file's text (line ends as \n), hex

    @property
    def label(self) -> str:
        return f"{self.package}/{self.version:04d}_{self.name}"


@dataclass(frozen=True)
class Applied:
    """One row of a database's `schema_migrations`."""

    package: str
    version: int
    name: str
    checksum: str
    applied_at: dt.datetime  # UTC

    @property
    def label(self) -> str:
        return f"{self.package}/{self.version:04d}_{self.name}"


@dataclass(frozen=True)
class ReleasedApplied:
    """One row of a `schema_migrations` in the single numbering of earlier releases."""

    version: int
    name: str
    checksum: str
    applied_at: dt.datetime  # UTC


def checksum_of(text: str) -> str:
    # Line ends are normalised so that a checkout with CRLF line ends has the same checksum.
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def load(folder: Traversable, package: str) -> list[Migration]:
    """The migrations of `package` in `folder`, by version; a misnamed file or a gap is refused."""
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
        found[version] = Migration(package, version, match[2], text, checksum_of(text))
    expected = list(range(1, len(found) + 1))
    if sorted(found) != expected:
        missing = sorted(set(expected) - set(found))
        raise InvalidInput(
            f"{folder}: migrations are numbered from 0001 without gaps; "
            f"{', '.join(f'{v:04d}' for v in missing)} missing"
        )
    return [found[v] for v in expected]


def discover(root: Traversable, backend: str) -> dict[str, Traversable]:
    """Every package under `root` with a `migrations/<backend>/` folder: the engine's first,
    then the others by name."""
    found = {
        entry.name: entry / "migrations" / backend
        for entry in root.iterdir()
        if entry.is_dir() and (entry / "migrations" / backend).is_dir()
    }
    order = sorted(found, key=lambda package: (package != ENGINE, package))
    return {package: found[package] for package in order}


def load_all(sources: Sources) -> list[Migration]:
    """The migrations of every package in `sources`, package by package in their order."""
    return [m for package, folder in sources.items() for m in load(folder, package)]


@functools.cache
def shipped(backend: str) -> tuple[Migration, ...]:
    """The migrations this Colony ships for `backend` ("sqlite" or "postgresql")."""
    if backend not in BACKENDS:
        raise ValueError(f"no migrations for backend {backend!r}")
    sources = discover(resources.files("colony"), backend)
    # Never `assert`: without its own migrations the engine would make a database with no
    # tables at all, a broken install that must stop here rather than at the first query.
    if ENGINE not in sources:
        raise RuntimeError(
            f"no {ENGINE}/migrations/{backend}/ in the installed colony package: "
            "its migration files were not installed (pyproject.toml's package-data)"
        )
    return tuple(load_all(sources))


def migrations_for(backend: str, sources: Sources | None) -> list[Migration]:
    """The shipped migrations of `backend`, or those in `sources` when given (for tests)."""
    return load_all(sources) if sources is not None else list(shipped(backend))


def problems(migrations: Sequence[Migration], applied: list[Applied], label: str) -> list[str]:
    """Why the database at `label` with `applied` cannot be upgraded to `migrations`."""
    found: list[str] = []
    by_key = {(m.package, m.version): m for m in migrations}
    for a in applied:
        m = by_key.get((a.package, a.version))
        if m is None:
            own = [s.label for s in migrations if s.package == a.package]
            last = (
                f"its last of {a.package} is {own[-1]}" if own else f"it ships none of {a.package}"
            )
            found.append(
                f"{label} holds migration {a.label}, which this Colony does not ship ({last}): "
                "the database was upgraded by a newer Colony; run that one"
            )
        elif (a.name, a.checksum) != (m.name, m.checksum):
            found.append(
                f"{label}: migration {a.label} was applied with sha256 {a.checksum[:12]}, but "
                f"the shipped {m.label}.sql has {m.checksum[:12]}: a released migration was "
                "edited; restore the file and make the change in a new migration"
            )
    for package, versions in _versions_by_package(applied).items():
        holes = [v for v in range(1, max(versions)) if v not in versions]
        if holes:
            found.append(
                f"{label} lacks migration {', '.join(f'{package}/{v:04d}' for v in holes)} "
                "while later ones are applied: it was changed by hand or by a broken upgrade, "
                "and cannot be upgraded safely"
            )
    return found


def _versions_by_package(applied: list[Applied]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for a in applied:
        found.setdefault(a.package, set()).add(a.version)
    return found


def pending(migrations: Sequence[Migration], applied: list[Applied], label: str) -> list[Migration]:
    """What is left to apply, in order; `MigrationRefused` when the database does not fit."""
    found = problems(migrations, applied, label)
    if found:
        raise MigrationRefused("; ".join(found))
    done = {(a.package, a.version) for a in applied}
    return [m for m in migrations if (m.package, m.version) not in done]


def apply_pending(
    migrations: Sequence[Migration],
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


def renamed(backend: str, rows: list[ReleasedApplied], label: str) -> list[Applied]:
    """The package migrations a database recorded in the earlier single numbering has applied,
    each with its released file's time. `MigrationRefused` unless every row is a released file
    unchanged, without holes: a database that does not fit is left as it is."""
    released = {r.version: r for r in RELEASED[backend]}
    found: list[str] = []
    for row in rows:
        r = released.get(row.version)
        if r is None:
            found.append(
                f"{label} holds migration {row.version:04d}_{row.name} of the single numbering, "
                f"which no Colony released (its last was {RELEASED[backend][-1].version:04d}): "
                "it was changed by hand or by an unreleased Colony"
            )
        elif (row.name, row.checksum) != (r.name, r.checksum):
            found.append(
                f"{label}: migration {row.version:04d}_{row.name} was applied with sha256 "
                f"{row.checksum[:12]}, but the released {r.version:04d}_{r.name}.sql had "
                f"{r.checksum[:12]}: the database was changed by hand or by an unreleased Colony"
            )
    versions = {row.version for row in rows}
    holes = [v for v in range(1, max(versions, default=0)) if v not in versions]
    if holes:
        found.append(
            f"{label} lacks migration {', '.join(f'{v:04d}' for v in holes)} of the single "
            "numbering while later ones are applied: it cannot be upgraded safely"
        )
    if found:
        raise MigrationRefused("; ".join(found))
    order = {(m.package, m.version): (i, m) for i, m in enumerate(shipped(backend))}
    applied = []
    for row in rows:
        for key in released[row.version].became:
            if key not in order:
                raise RuntimeError(f"released_numbering.py names {key}, which is not shipped")
            _, m = order[key]
            applied.append(Applied(m.package, m.version, m.name, m.checksum, row.applied_at))
    return sorted(applied, key=lambda a: order[a.package, a.version][0])


def applied_at_of(now_ns: int) -> dt.datetime:
    seconds, ns = divmod(now_ns, NS_PER_S)
    return dt.datetime.fromtimestamp(seconds, dt.UTC) + dt.timedelta(microseconds=ns // 1000)
