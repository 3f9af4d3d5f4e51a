"""New SQLite databases born migrated, as the PostgreSQL half's are copied from a template.

Applying the shipped migrations to a new SQLite file takes 70-90 ms on a machine of ours (each
migration's DDL in a transaction of its own), and most tests open a new file or several: a
few minutes of the suite went on migrating empty files. So in the test process every database
file that Colony creates (`storage.sqlite_connection.create_private`, where a table store's or
the journal's file is born) is born instead as a copy of one file that the real migrations
brought up to date once per process. Opening it then runs the real migrations too, which find
nothing pending, as on any database opened a second time. What is copied is only what the
shipped migrations make: a new database holds no rows but their record.

The copy appears whole at once (written beside the file, then linked into place, which fails
if the file exists by then), so a process opening the same new file at that moment sees it
either absent or whole. A test marked `empty_database` gets a truly empty file (the tests of
migrations), and so does every process a test starts (`colony serve`, the crash tests):
those create and migrate their files themselves.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from colony.storage import sqlite_connection

_create_empty = sqlite_connection.create_private
_image: dict[str, bytes] = {}
# Set for a test marked `empty_database` (tests/conftest.py).
blank_files_wanted = {"now": False}


def migrated_image() -> bytes:
    """A database file with every shipped migration applied by the real code, made once."""
    if "bytes" not in _image:
        folder = Path(tempfile.mkdtemp(prefix="colony-sqlite-image-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "image.db"
        _create_empty(path)
        with contextlib.closing(sqlite_connection.connect(path)) as db:
            # Everything into the file itself, so the file alone is the whole database.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _image["bytes"] = path.read_bytes()
    return _image["bytes"]


def create_migrated(path: Path) -> None:
    """`create_private`, but a new file holds the migrated image (owner-only, as ever)."""
    if blank_files_wanted["now"] or path.exists():
        _create_empty(path)
        return
    image = migrated_image()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.image")
    with os.fdopen(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(image)
    try:
        os.link(part, path)
    except FileExistsError:
        pass  # made meanwhile: that one stands
    except OSError:
        # A file system without hard links: an empty file, which Colony migrates itself.
        _create_empty(path)
    finally:
        part.unlink()


def install() -> None:
    """From now on, in this process, new databases are born migrated."""
    sqlite_connection.create_private = create_migrated
