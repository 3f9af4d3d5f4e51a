"""The SQLite ledger's checkpoints: files in a folder beside the database (docs/adr/0027).

`colony.db` keeps them in `colony.db.checkpoints/`, one file per watermark, named by its
journal seq. A file is written under a temporary name, flushed to disk, renamed into place and
the folder flushed, so a crash leaves either the whole file or none under its real name (a
leftover temporary file is ignored and removed by the next write). Files rather than rows: a
checkpoint is hundreds of megabytes, which a row would write twice (WAL, then database).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

# How many checkpoints are kept: the newest, and older ones to fall back on if it is damaged.
checkpoints_kept = 2

_NAME = re.compile(r"^(\d{20})\.checkpoint$")


def checkpoint_folder(database: Path) -> Path:
    return database.with_name(database.name + ".checkpoints")


class CheckpointFiles:
    def __init__(self, folder: Path, *, durable: bool = True) -> None:
        self.folder = folder
        self._durable = durable  # False only where the journal itself is not (synchronous=OFF)

    def checkpoint_seqs(self) -> list[int]:
        try:
            names = [p.name for p in self.folder.iterdir()]
        except FileNotFoundError:
            return []
        return sorted((int(m[1]) for n in names if (m := _NAME.match(n))), reverse=True)

    def read_checkpoint(self, seq: int) -> bytes | None:
        try:
            return self._path(seq).read_bytes()
        except OSError:
            return None

    def write_checkpoint(self, seq: int, parts: Sequence[bytes | bytearray]) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.folder / f"{seq:020d}.checkpoint.tmp{os.getpid()}"
        # A checkpoint holds every balance: its owner's alone, as the database is.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                out.write(part)
            out.flush()
            if self._durable:
                os.fsync(out.fileno())
        os.replace(temporary, self._path(seq))
        if self._durable:
            self._sync_folder()
        self._prune()

    def _path(self, seq: int) -> Path:
        return self.folder / f"{seq:020d}.checkpoint"

    def _sync_folder(self) -> None:
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _prune(self) -> None:
        """Drop checkpoints past the newest few, and temporary files a crash left behind (this
        write's own is renamed by now)."""
        stale = [self._path(seq) for seq in self.checkpoint_seqs()[checkpoints_kept:]]
        for path in [*stale, *self.folder.glob("*.checkpoint.tmp*")]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
