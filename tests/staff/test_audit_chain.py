"""The audit log as a hash chain, on each backend: entries appended by many threads at once
form one unbroken chain; an entry edited, removed or swapped behind the append-only
triggers is found, named by its place; `colony audit verify` says so and exits 1."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.credentials import CredentialService, open_credential_store
from colony.kernel.clock import ManualClock
from colony.kernel.ids import IdGenerator
from colony.staff import AuditAction, StaffService, open_staff_store
from colony.staff.audit_chain import ChainFault
from colony.storage.open import open_tables
from tests.staff.test_staff import CHEAP

runner = CliRunner()


@pytest.fixture
def staff(store_url: str) -> Iterator[StaffService]:
    clock = ManualClock()
    store, credentials = open_staff_store(store_url), open_credential_store(store_url)
    ids = IdGenerator(clock, random.Random(11))
    yield StaffService(store, CredentialService(credentials, clock, CHEAP), clock, ids)
    store.close()
    credentials.close()


def _record(staff: StaffService, n: int) -> None:
    for i in range(n):
        staff.record("stf_1", AuditAction.wallet_frozen, f"wal_{i}", f"reason {i}", n=i)


def _tamper(url: str, *statements: str) -> None:
    """Change stored rows as someone with the database's keys could: triggers dropped first."""
    tables = open_tables(url, "test-tamper")
    try:
        with tables.write() as db:
            if tables.backend == "sqlite":
                db.execute("DROP TRIGGER staff_audit_no_update")
                db.execute("DROP TRIGGER staff_audit_no_delete")
            else:
                db.execute("ALTER TABLE staff_audit DISABLE TRIGGER USER")
            for statement in statements:
                db.execute(statement)
    finally:
        tables.close()


def test_an_untouched_chain_holds(staff: StaffService) -> None:
    assert staff.verify_audit().intact and staff.verify_audit().checked == 0
    _record(staff, 5)
    verdict = staff.verify_audit()
    assert (verdict.intact, verdict.checked, verdict.unchained) == (True, 5, 0)


def test_entries_appended_at_once_by_many_threads_form_one_chain(staff: StaffService) -> None:
    threads = [threading.Thread(target=_record, args=(staff, 10)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdict = staff.verify_audit()
    assert (verdict.intact, verdict.checked) == (True, 40)


@pytest.mark.parametrize(
    ("change", "fault", "at"),
    [
        ("UPDATE staff_audit SET reason = 'no reason' WHERE seq = 3", ChainFault.wrong_hash, 3),
        ("UPDATE staff_audit SET detail = '{\"n\":99}' WHERE seq = 5", ChainFault.wrong_hash, 5),
        ("DELETE FROM staff_audit WHERE seq = 2", ChainFault.gap, 2),
        # Re-hashing an edited entry does not help: the next one points back to the old hash.
        ("UPDATE staff_audit SET sha256 = 'f' || substr(sha256, 2) WHERE seq = 4",
         ChainFault.wrong_hash, 4),
        ("UPDATE staff_audit SET prev_sha256 = (SELECT sha256 FROM staff_audit WHERE seq = 1)"
         " WHERE seq = 3", ChainFault.wrong_previous, 3),
    ],
)  # fmt: skip
def test_an_edited_or_removed_entry_is_found_at_its_place(
    staff: StaffService, store_url: str, change: str, fault: ChainFault, at: int
) -> None:
    _record(staff, 6)
    _tamper(store_url, change)
    verdict = staff.verify_audit()
    assert (verdict.intact, verdict.fault, verdict.at_seq) == (False, fault, at)
    assert verdict.checked == at - 1


def test_colony_audit_verify_says_whether_the_chain_holds(
    staff: StaffService, store_url: str
) -> None:
    _record(staff, 3)
    held = runner.invoke(app, ["audit", "verify", "--database", store_url, "--json"])
    assert held.exit_code == 0, held.output
    assert json.loads(held.stdout) == {
        "intact": True, "checked": 3, "unchained": 0, "fault": "none", "at_seq": None,
        "entry_id": None,
    }  # fmt: skip
    _tamper(store_url, "UPDATE staff_audit SET target = 'wal_x' WHERE seq = 2")
    broken = runner.invoke(app, ["audit", "verify", "--database", store_url])
    assert broken.exit_code == 1
    assert "audit chain broken at entry 2" in broken.stdout and "wrong hash" in broken.stdout
