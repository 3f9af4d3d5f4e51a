"""Where the key that seals secrets at rest comes from (kernel/secret_box.py; ADR 0032).

`COLONY_SECRETS_KEY`: 32 random bytes, base64 (`colony keys create-secrets-key` prints one).
It seals new secrets; `COLONY_SECRETS_RETIRED_KEYS` (comma-separated, the same form) only
open what older keys sealed, so a key is rotated by moving it there and setting a new one.

Without `COLONY_SECRETS_KEY`:
- on SQLite (development, a single machine), the key is a file beside the database,
  `<database>.secrets-key`, created 0600 with a fresh key the first time; a backup of the
  database without that file cannot open the secrets, which is the point;
- on PostgreSQL (production), nothing opens: a production server must be given its key, not
  make one on a disk nobody backs up.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from colony.kernel.errors import ColonyError
from colony.kernel.secret_box import (
    SEALED_PREFIX,
    SecretBox,
    key_bytes,
    key_id_hex_chars,
    parse_key,
)
from colony.storage.tables import Tables

SECRETS_KEY_ENV = "COLONY_SECRETS_KEY"
RETIRED_KEYS_ENV = "COLONY_SECRETS_RETIRED_KEYS"
KEY_FILE_SUFFIX = ".secrets-key"


class SecretsKeyMissing(ColonyError):
    """No key to seal secrets with where one is required (PostgreSQL)."""


def new_key_text() -> str:
    return base64.b64encode(secrets.token_bytes(key_bytes)).decode()


def secret_box_for(url: str, environ: Mapping[str, str] | None = None) -> SecretBox:
    """The box that seals and opens secrets stored in the database behind `url`."""
    env = os.environ if environ is None else environ
    retired = [
        parse_key(text, RETIRED_KEYS_ENV)
        for text in env.get(RETIRED_KEYS_ENV, "").split(",")
        if text.strip()
    ]
    given = env.get(SECRETS_KEY_ENV, "").strip()
    if given:
        return SecretBox(parse_key(given, SECRETS_KEY_ENV), retired)
    if urlparse(url).scheme == "sqlite":
        # Imported here: open.py imports the backends, which this module's callers need not.
        from colony.storage.open import sqlite_path

        return SecretBox(_key_file(sqlite_path(url)), retired)
    raise SecretsKeyMissing(
        f"{SECRETS_KEY_ENV} is not set: on PostgreSQL, give the key that seals device and "
        f"webhook secrets ({key_bytes} random bytes, base64; `colony keys create-secrets-key`)"
    )


def check_sealed_column(tables: Tables, box: SecretBox, table: str, what: str) -> None:
    """Raise `SecretKeyUnknown` when a value of `table`'s `secret` column is sealed under a
    key `box` lacks: a store calls it as it opens, so a server given the wrong key stops at
    its start, not at the first request that needs a secret."""
    start = len(SEALED_PREFIX) + 2  # 1-based, past "cs1.": the key id
    with tables.session() as db:
        rows = db.execute(
            f"SELECT DISTINCT substr(secret, {start}, {key_id_hex_chars}) FROM {table}"
        ).fetchall()
    # Text on one table, bytes on another (a BLOB or bytea column): the id is ASCII either way.
    key_ids = [
        bytes(k).decode("ascii", "replace") if isinstance(k, bytes | memoryview) else str(k)
        for (k,) in rows
    ]
    box.check_keys(key_ids, what)


def _key_file(database: Path) -> bytes:
    """The key in the file beside `database`, made (0600, never replaced) the first time.

    Written whole to a file of its own, then linked into place: a link never replaces a
    file, so two processes starting at once agree on the first key, and neither ever reads a
    key file half written."""
    path = database.with_name(database.name + KEY_FILE_SUFFIX)
    if not path.exists():
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}.new")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as made:
            made.write(new_key_text() + "\n")
            made.flush()
            os.fsync(made.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: its key is the key
        finally:
            draft.unlink()
    return parse_key(path.read_text(), str(path))
