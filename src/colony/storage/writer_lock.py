"""Which process writes a SQLite ledger when several serve one file: whoever holds a lock file.

PostgreSQL elects by the journal's own advisory lock (storage/postgres_journal.py); a SQLite
file has no session to hang a lock on, so the writer holds an exclusive `flock` on a file
beside the database for as long as it lives. The kernel drops it when the process dies,
however it dies, so a follower can take over without anyone cleaning up.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from colony.kernel.errors import StorageUnavailable
from colony.storage.sqlite_connection import refuse_a_folder_in_the_way


class SqliteWriterLock:
    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".writer-lock")
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        if self._fd is not None:
            return True
        try:
            refuse_a_folder_in_the_way(self.path)
            # The database's folder may not exist yet: opening the database would make it too.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageUnavailable(
                f"{self.path}: cannot make the ledger writer's lock file: {exc.strerror or exc}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
