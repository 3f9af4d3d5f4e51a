"""Where the key that seals secrets comes from: the environment; without it, a 0600 key file
beside a SQLite database, made once; on PostgreSQL, nothing opens without it."""

from __future__ import annotations

import base64
import stat
import threading
from pathlib import Path

import pytest

from colony.kernel.errors import InvalidInput
from colony.kernel.secret_box import key_id_of
from colony.storage.secrets_key import SecretsKeyMissing, secret_box_for

KEY = b"\x07" * 32
OLD = b"\x08" * 32


def test_the_environments_key_seals_and_retired_keys_open(tmp_path: Path) -> None:
    env = {"COLONY_SECRETS_KEY": base64.b64encode(KEY).decode()}
    box = secret_box_for(f"sqlite:///{tmp_path}/c.db", env)
    assert box.key_id == key_id_of(KEY)
    assert not list(tmp_path.iterdir())  # no key file when the key is given
    sealed_before = secret_box_for("postgresql://db/x", {
        "COLONY_SECRETS_KEY": base64.b64encode(OLD).decode(),
    }).seal(b"s", "row")  # fmt: skip
    env["COLONY_SECRETS_RETIRED_KEYS"] = " , " + base64.b64encode(OLD).decode()
    assert secret_box_for("postgresql://db/x", env).open(sealed_before, "row") == b"s"
    with pytest.raises(InvalidInput, match="COLONY_SECRETS_KEY holds 3 bytes"):
        secret_box_for("postgresql://db/x", {"COLONY_SECRETS_KEY": "YWJj"})


def test_without_a_key_sqlite_makes_a_private_key_file_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/colony.db"
    boxes = []

    def open_box() -> None:
        boxes.append(secret_box_for(url, {}))

    racers = [threading.Thread(target=open_box) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    key_file = tmp_path / "colony.db.secrets-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len({box.key_id for box in boxes}) == 1  # every opener agreed on the one key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["colony.db.secrets-key"]
    sealed = boxes[0].seal(b"s", "row")
    assert secret_box_for(url, {}).open(sealed, "row") == b"s"  # the same key next time


def test_without_a_key_postgresql_refuses_to_open() -> None:
    with pytest.raises(SecretsKeyMissing, match="COLONY_SECRETS_KEY is not set"):
        secret_box_for("postgresql://postgres@127.0.0.1/colony", {})


def test_the_cli_prints_a_key_that_opens(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from colony.cli.main import app

    printed = CliRunner().invoke(app, ["keys", "create-secrets-key"])
    assert printed.exit_code == 0, printed.output
    box = secret_box_for("postgresql://db/x", {"COLONY_SECRETS_KEY": printed.stdout.strip()})
    assert box.open(box.seal(b"s", "row"), "row") == b"s"
