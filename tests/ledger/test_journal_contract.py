"""The `JournalStore` contract, run against every backend (the `journal_url` fixture).

Whatever the backend: entries come back in seq order, page by page, as they were appended;
an append is gap-free or refused whole; two writers never both extend the journal; and what
was appended survives a reopen. On PostgreSQL also: a connection dropped between or inside
appends raises `StorageUnavailable`, leaves the batch wholly absent, and the next append
reconnects.
"""

from __future__ import annotations

import json
import os
import threading
import time

import psycopg
import pytest
from typer.testing import CliRunner

from colony.cli.main import app
from colony.kernel.clock import ManualClock
from colony.kernel.errors import StorageUnavailable
from colony.ledger import Account, Transfer, TransferFlags
from colony.ledger.store import JournalEntry, Operation, read_all
from colony.storage import postgres_journal
from colony.storage.journal_rows import JournalOutOfOrder
from colony.storage.open import open_journal, open_ledger
from colony.storage.postgres_journal import PostgresJournal

runner = CliRunner()


def entry(seq: int, size: int = 64) -> JournalEntry:
    body = os.urandom(size * 128)
    return JournalEntry(seq, Operation.create_transfers, 1_000 + seq, body, bytes(size))


def test_entries_come_back_in_order_page_by_page_and_after_reopen(journal_url: str) -> None:
    written = [entry(1), entry(2, 1), entry(3, 8190), entry(4), entry(5)]
    journal = open_journal(journal_url)
    try:
        journal.append(written[:1])
        journal.append(written[1:4])  # several entries in one transaction (a group commit)
        journal.append(written[4:])
        journal.append([])  # nothing to write is not an error
        assert journal.read(0, 2) == written[:2]
        assert journal.read(2, 10) == written[2:]
        assert journal.read(5, 10) == []
    finally:
        journal.close()
    again = open_journal(journal_url)
    try:
        assert list(read_all(again)) == written
    finally:
        again.close()


@pytest.mark.parametrize(
    ("seqs", "next_seq"),
    [([3], 2), ([1], 2), ([2, 4], 2), ([0], 2)],
    ids=["gap", "repeat", "gap-inside", "zero"],
)
def test_an_append_that_is_not_next_is_refused_whole(
    journal_url: str, seqs: list[int], next_seq: int
) -> None:
    journal = open_journal(journal_url)
    try:
        journal.append([entry(1)])
        with pytest.raises(JournalOutOfOrder, match=f"but the next is {next_seq}"):
            journal.append([entry(s) for s in seqs])
        assert [e.seq for e in journal.read(0, 10)] == [1]
        journal.append([entry(2)])  # the refusal left the journal usable
        assert [e.seq for e in journal.read(0, 10)] == [1, 2]
    finally:
        journal.close()


def test_two_writers_never_both_extend_the_journal(
    journal_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_journal, "owner_lock_timeout_s", 1)
    first = open_journal(journal_url)
    try:
        try:
            second = open_journal(journal_url)
        except StorageUnavailable as exc:  # PostgreSQL: the owner's lock keeps it out
            assert "another process holds this ledger's journal" in str(exc)
        else:  # SQLite: both open, and the second append at the same seq fails
            try:
                first.append([entry(1)])
                with pytest.raises(JournalOutOfOrder):
                    second.append([entry(1)])
            finally:
                second.close()
        first.append([entry(len(first.read(0, 10)) + 1)])
    finally:
        first.close()
    # Once the owner has gone, the next process opens it and carries on at the tail.
    after = open_journal(journal_url)
    try:
        tail = after.read(0, 10)[-1].seq
        after.append([entry(tail + 1)])
        assert [e.seq for e in after.read(0, 10)] == list(range(1, tail + 2))
    finally:
        after.close()


def test_a_ledger_replays_to_the_same_state_after_reopen(journal_url: str) -> None:
    clock = ManualClock()
    ledger = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        assert not any(ledger.create_accounts([Account(i, 840, 1) for i in range(1, 6)]))
        for k in range(1, 4):
            batch = [Transfer(k * 100 + i, i, i % 5 + 1, k * i, 840, 1) for i in range(1, 6)]
            assert not any(ledger.create_transfers(batch))
            clock.advance(1)
        pending = Transfer(900, 1, 2, 7, 840, 1, flags=int(TransferFlags.pending), timeout=1)
        assert not any(ledger.create_transfers([pending]))
        accounts, transfers = list(ledger.all_accounts()), list(ledger.all_transfers())
    finally:
        ledger.close()
    again = open_ledger(journal_url, clock=clock, auto_pulse=False)
    try:
        assert list(again.all_accounts()) == accounts
        assert list(again.all_transfers()) == transfers
        assert len(transfers) == 16 and any(a.debits_pending == 7 for a in accounts)
    finally:
        again.close()


# --------------------------------------------------------------------- PostgreSQL only


def _terminate(journal: PostgresJournal) -> int:
    """End the journal's session from another connection, as a restart or an operator would."""
    assert journal._conn is not None
    pid = journal._conn.info.backend_pid
    with psycopg.connect(journal.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return pid


def test_a_connection_dropped_between_appends(postgres_url: str) -> None:
    journal = PostgresJournal(postgres_url)
    try:
        journal.append([entry(1)])
        _terminate(journal)
        with pytest.raises(StorageUnavailable, match="the batch was not written"):
            journal.append([entry(2)])
        assert [e.seq for e in journal.read(0, 10)] == [1]
        journal.append([entry(2)])  # reconnected, and carries on
    finally:
        journal.close()
    again = PostgresJournal(postgres_url)
    try:
        assert [e.seq for e in again.read(0, 10)] == [1, 2]
    finally:
        again.close()


def test_a_checkpoint_is_kept_only_while_its_writer_owns_the_journal(postgres_url: str) -> None:
    """A process whose session ended (and whose journal another process took) must not
    write a checkpoint, nor prune the new owner's: its checkpoints are written on a
    connection of their own, which the end of the journal's session does not end."""
    first = PostgresJournal(postgres_url)
    second = None
    try:
        first.append([entry(1)])
        first.write_checkpoint(1, [b"owned"])
        _terminate(first)
        second = PostgresJournal(postgres_url)  # takes the owner's lock
        second.write_checkpoint(1, [b"the new owner's"])
        with pytest.raises(StorageUnavailable, match="no longer owns the journal"):
            first.write_checkpoint(2, [b"stale"])
        assert second.checkpoint_seqs() == [1]
        assert second.read_checkpoint(1) == b"the new owner's"
    finally:
        first.close()
        if second is not None:
            second.close()


def test_journal_bodies_are_not_compressed_by_pglz(postgres_url: str) -> None:
    """A batch's body is about 1 MB: pglz compressing it inside every commit cost the server
    13-15 ms a batch (docs/adr/0091). It is stored with lz4, or uncompressed on a server
    built without lz4; what goes in comes out the same."""
    journal = PostgresJournal(postgres_url)
    try:
        # Records of small numbers, mostly zeros, as a batch of transfers is: compressible.
        body = b"".join(i.to_bytes(16, "little") + bytes(112) for i in range(8190))
        first = JournalEntry(1, Operation.create_transfers, 1_001, body, bytes(8190))
        journal.append([first])
        with psycopg.connect(postgres_url) as conn:
            columns = conn.execute(
                "SELECT attname, attcompression, attstorage FROM pg_attribute"
                " WHERE attrelid = 'ledger_journal'::regclass AND attname IN ('body', 'results')"
                " ORDER BY attname"
            ).fetchall()
            stored = conn.execute(
                "SELECT pg_column_compression(body) FROM ledger_journal WHERE seq = 1"
            ).fetchone()
        assert [name for name, _, _ in columns] == ["body", "results"]
        for _, compression, storage in columns:
            assert (compression, storage) in (("l", "x"), ("", "e")), columns
        lz4 = columns[0][1] == "l"
        assert stored is not None and stored[0] == ("lz4" if lz4 else None)
        assert journal.read(0, 1)[0].body == first.body
    finally:
        journal.close()


def test_a_connection_dropped_inside_an_append(postgres_url: str) -> None:
    journal = PostgresJournal(postgres_url)
    blocker = psycopg.connect(postgres_url)
    try:
        journal.append([entry(1)])
        # Hold the table so the append stops mid-transaction, then end its session there.
        blocker.execute("LOCK TABLE ledger_journal IN ACCESS EXCLUSIVE MODE")
        failures: list[BaseException] = []

        def append() -> None:
            try:
                journal.append([entry(2, 8190), entry(3)])
            except BaseException as exc:
                failures.append(exc)

        assert journal._conn is not None
        pid = journal._conn.info.backend_pid
        writer = threading.Thread(target=append)
        writer.start()
        deadline = time.monotonic() + 60
        while not blocker.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            (pid,),
        ).fetchone():
            assert time.monotonic() < deadline, "the append never reached the lock"
            time.sleep(0.01)
        _terminate(journal)
        blocker.rollback()
        writer.join(timeout=60)
        assert not writer.is_alive()
        assert len(failures) == 1 and isinstance(failures[0], StorageUnavailable), failures
        assert "the batch was not written" in str(failures[0])
        assert [e.seq for e in journal.read(0, 10)] == [1]  # neither entry of the batch
        journal.append([entry(2), entry(3)])
        assert [e.seq for e in journal.read(0, 10)] == [1, 2, 3]
    finally:
        blocker.close()
        journal.close()


def test_an_append_the_server_refuses_keeps_its_connection(postgres_url: str) -> None:
    """A server's refusal (here a trigger's error) rolls the transaction back on a live
    connection: the append fails at once, nothing is written, and no reconnect is needed."""
    journal = PostgresJournal(postgres_url)
    try:
        journal.append([entry(1)])
        assert journal._conn is not None
        pid = journal._conn.info.backend_pid
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
            admin.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON ledger_journal"
                " FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
            with pytest.raises(StorageUnavailable, match="journal append failed: refused by"):
                journal.append([entry(2)])
            admin.execute("DROP TRIGGER refuse ON ledger_journal")
        journal.append([entry(2)])
        assert journal._conn.info.backend_pid == pid
        assert [e.seq for e in journal.read(0, 10)] == [1, 2]
    finally:
        journal.close()


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (psycopg.errors.RaiseException("a trigger's error"), True),
        (psycopg.errors.UniqueViolation("a seq written twice"), True),
        # Raised by psycopg itself when the session ends under a pipeline: no SQLSTATE.
        (psycopg.OperationalError("cannot exit pipeline mode while busy"), False),
        (psycopg.errors.AdminShutdown("terminating connection"), False),
        (psycopg.errors.ConnectionFailure("connection failure"), False),
    ],
)
def test_only_a_servers_answer_on_a_live_connection_counts_as_refused(
    postgres_url: str, error: psycopg.Error, refused: bool
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert postgres_journal._refused(conn, error) is refused
        with conn.transaction():
            conn.execute("SELECT 1")
            assert postgres_journal._refused(conn, error) is False  # still in a transaction
    assert postgres_journal._refused(conn, error) is False  # closed


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StorageUnavailable, match="cannot connect"):
        PostgresJournal("postgresql://colony:secret@127.0.0.1:1/nowhere")
    try:
        PostgresJournal("postgresql://colony:secret@127.0.0.1:1/nowhere")
    except StorageUnavailable as exc:
        assert "secret" not in str(exc)


def test_bench_ledger_on_postgresql(postgres_url: str) -> None:
    args = ["bench", "ledger", "--accounts", "200", "--transfers", "9000", "--mix", "uniform"]
    result = runner.invoke(app, [*args, "--database", postgres_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["backend"] == "postgresql"
    assert summary["synchronous"] == "synchronous_commit=on"
    assert summary["mixes"][0]["failed_transfers"] == 0
    # Each mix ran in a database of its own, dropped afterwards.
    with psycopg.connect(postgres_url) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'colony_bench_%'")
        assert left.fetchall() == []
