"""One writer among several ledger holders: election, forwarding, take-over and recovery."""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

import pytest

from colony.api.sql_store import open_api_store
from colony.kernel.clock import ManualClock
from colony.kernel.errors import InvalidInput, StorageUnavailable
from colony.kernel.key_claims import HeldClaims, claim_stale_s, process_tag
from colony.ledger import Account, CreateTransferResult, LedgerPort, Transfer, TransferFlags
from colony.ledger.verify import verify
from colony.storage.open import open_tables, try_open_writer
from colony.workers import ElectedLedger, RemoteLedger, remote_ledger
from colony.workers.elected_ledger import watch_interval_s
from colony.workers.forwarding import ForwardingLedger
from tests.ledger.test_journal_faults import _break_storage

SECRET = b"s" * 32
# How long a take-over or a recovery may take in these tests, in seconds.
settle_timeout_s = 30.0


@pytest.fixture
def address() -> Iterator[str]:
    # A short private directory: a Unix socket's path is limited to about 100 bytes.
    folder = tempfile.mkdtemp(prefix="colony-test-")
    yield str(Path(folder) / "ledger.sock")
    shutil.rmtree(folder, ignore_errors=True)


def _eventually(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + settle_timeout_s
    while not check():
        assert time.monotonic() < deadline, "did not settle in time"
        time.sleep(0.05)


def _elected(url: str, address: str) -> ElectedLedger:
    return ElectedLedger(url, ManualClock(), address=address, authkey=SECRET)


def test_one_stands_the_other_follows_then_takes_over(journal_url: str, address: str) -> None:
    first = _elected(journal_url, address)
    second = _elected(journal_url, address)
    try:
        assert first.is_writer and not second.is_writer
        # The follower's writes go through the writer, into the one ledger.
        assert not any(second.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        assert second.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]) == [CreateTransferResult.ok]
        assert first.lookup_accounts([2])[0].credits_posted == 5
        assert second.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]) == [
            CreateTransferResult.exists
        ]
        first.close()
        _eventually(lambda: second.is_writer)
        # The new writer replayed the journal: everything acknowledged is there.
        assert [t.id for t in second.lookup_transfers([9])] == [9]
        assert second.create_transfers([Transfer(10, 1, 2, 7, 1, 1)]) == [CreateTransferResult.ok]
        assert verify(*second.snapshot_for_verify()).ok
    finally:
        first.close()
        second.close()


def test_writer_duties_run_once_in_the_writer_and_move_with_it(
    journal_url: str, address: str
) -> None:
    done: list[str] = []

    def duty(who: str) -> Callable[[], Callable[[], None]]:
        def start() -> Callable[[], None]:
            done.append(f"{who} started")
            return lambda: done.append(f"{who} stopped")

        return start

    first = _elected(journal_url, address)
    second = _elected(journal_url, address)
    try:
        first.add_duty(duty("first"))
        second.add_duty(duty("second"))  # a follower's duties wait for it to stand
        assert done == ["first started"]
        first.close()
        _eventually(lambda: "second started" in done)
        assert done == ["first started", "first stopped", "second started"]
    finally:
        first.close()
        second.close()
    assert done[-1] == "second stopped"


def test_failures_cross_the_wire_as_their_own_kind(journal_url: str, address: str) -> None:
    writer = _elected(journal_url, address)
    follower = _elected(journal_url, address)
    try:
        with pytest.raises(InvalidInput, match="limit must be between"):
            follower.statement(1, limit=0)
        # A caller without the secret is refused, and the writer goes on serving the others.
        with pytest.raises(AuthenticationError):
            Client(address, family="AF_UNIX", authkey=b"x" * 32)
        assert follower.totals() == []
    finally:
        follower.close()
        writer.close()


def test_a_dropped_database_connection_heals_without_a_restart(journal_url: str) -> None:
    """The batch under the cut is wholly there or wholly absent; the ledger reopens itself."""
    ledger = ElectedLedger(journal_url, ManualClock(), address=None)
    try:
        assert not any(ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        assert not any(ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]))
        hold = ledger._hold
        assert hold is not None
        _break_storage(hold.ledger)
        with pytest.raises(StorageUnavailable):
            ledger.create_transfers([Transfer(10, 1, 2, 7, 1, 1)])

        def takes_work() -> bool:
            try:
                return ledger.create_transfers([Transfer(11, 1, 2, 3, 1, 1)])[0] in (
                    CreateTransferResult.ok,
                    CreateTransferResult.exists,
                )
            except StorageUnavailable:
                return False

        _eventually(takes_work)
        assert ledger.is_writer and ledger._hold is not hold  # a new ledger, same object
        found = [t.id for t in ledger.lookup_transfers([9, 10, 11])]
        assert found == [9, 11]  # the cut batch never reached the journal
        assert ledger.lookup_accounts([2])[0].credits_posted == 5 + 3
        assert verify(*ledger.snapshot_for_verify()).ok
    finally:
        ledger.close()


def test_a_new_sqlite_database_in_a_folder_not_made_yet(tmp_path: Path) -> None:
    """A fresh checkout's default, sqlite:///var/colony.db, names a folder nobody made."""
    ledger = ElectedLedger(f"sqlite:///{tmp_path}/var/colony.db", ManualClock(), address=None)
    try:
        assert ledger.is_writer and not any(ledger.create_accounts([Account(1, 1, 1)]))
    finally:
        ledger.close()


def _calls(cls: type) -> set[str]:
    """The public calls a class itself defines (not those it inherits)."""
    return {name for name in vars(cls) if not name.startswith("_")}


@pytest.mark.parametrize("cls", [ElectedLedger, RemoteLedger])
def test_every_ledger_call_is_passed_on(cls: type) -> None:
    """A call added to LedgerPort later cannot go missing from a worker's ledger."""
    assert _calls(LedgerPort) - set(dir(cls)) == set()


# Every call ForwardingLedger passes on by name, asked of ids the test below creates; writes
# repeat what is there already, so each holder answers the same.
FORWARDED: dict[str, Callable[[LedgerPort], object]] = {
    "create_accounts": lambda x: x.create_accounts([Account(1, 1, 1)]),
    "create_transfers": lambda x: x.create_transfers([Transfer(9, 1, 2, 5, 1, 1)]),
    "pulse": lambda x: x.pulse(),
    "lookup_accounts": lambda x: x.lookup_accounts([1, 2, 3]),
    "lookup_balances": lambda x: x.lookup_balances([1, 2, 3]),
    "lookup_transfers": lambda x: x.lookup_transfers([9, 10, 11]),
    "pending_status": lambda x: x.pending_status(10),
    "expired_at": lambda x: x.expired_at(10),
    "statement": lambda x: x.statement(2, reverse=True, limit=1),
    "balance_at": lambda x: x.balance_at(2, x.lookup_transfers([9])[0].timestamp),
    "totals": lambda x: x.totals(),
    "all_accounts": lambda x: list(x.all_accounts()),
    "all_transfers": lambda x: list(x.all_transfers()),
    "snapshot_for_verify": lambda x: x.snapshot_for_verify(),
}


def test_writer_and_follower_answer_every_call_as_the_ledger_does(
    journal_url: str, address: str
) -> None:
    """Calls are passed on by name: each must reach the ledger method it is named after."""
    assert set(FORWARDED) == _calls(ForwardingLedger)
    writer = _elected(journal_url, address)
    follower = _elected(journal_url, address)
    try:
        assert writer._hold is not None
        ledger = writer._hold.ledger
        assert not any(ledger.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        pending = Transfer(10, 1, 2, 3, 1, 1, flags=TransferFlags.pending, timeout=60)
        assert not any(ledger.create_transfers([Transfer(9, 1, 2, 5, 1, 1), pending]))
        for name, call in FORWARDED.items():
            expected = call(ledger)
            assert call(writer) == expected, name
            assert call(follower) == expected, name
    finally:
        follower.close()
        writer.close()


def test_a_followers_concurrent_calls_share_messages_and_commits(
    journal_url: str, address: str
) -> None:
    """Calls queued together cross the socket together (issue: followers batched, not one
    round trip each), and every one still gets its own answer."""
    writer = _elected(journal_url, address)
    follower = RemoteLedger(address, SECRET)
    try:
        assert not any(follower.create_accounts([Account(1, 1, 1), Account(2, 1, 1)]))
        sent_before = follower.messages_sent
        calls = 400

        def pay(i: int) -> list[CreateTransferResult]:
            return follower.create_transfers([Transfer(1_000 + i, 1, 2, 1, 1, 1)])

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(pay, range(calls)))
        assert answers == [[CreateTransferResult.ok]] * calls
        assert follower.messages_sent - sent_before < calls
        assert writer.lookup_accounts([2])[0].credits_posted == calls
        # A retry of one of them is answered as the ledger answers it.
        assert pay(7) == [CreateTransferResult.exists]
    finally:
        follower.close()
        writer.close()


def test_a_call_the_writer_never_answers_times_out_and_is_forgotten(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that reads calls but never answers: the caller gives up after its limit with
    an unknown outcome, and the call does not stay waiting on the connection."""
    listener = Listener(address, family="AF_UNIX", authkey=SECRET)
    held: list[Connection] = []

    def swallow() -> None:
        conn = listener.accept()
        held.append(conn)
        with contextlib.suppress(EOFError, OSError):
            while True:
                conn.recv()

    threading.Thread(target=swallow, daemon=True).start()
    monkeypatch.setattr(remote_ledger, "call_timeout_s", 0.2)
    follower = RemoteLedger(address, SECRET)
    try:
        with pytest.raises(StorageUnavailable, match="did not answer pulse"):
            follower.pulse()
        link = follower._link  # type: ignore[attr-defined]
        assert link is not None and not link._waiting
    finally:
        follower.close()
        listener.close()
        for conn in held:
            conn.close()


def test_idempotency_claims_are_held_by_the_writer_for_every_worker(
    journal_url: str, address: str
) -> None:
    writer = _elected(journal_url, address)
    follower = _elected(journal_url, address)
    here = open_api_store(journal_url, shared_claims=True, claims=writer.key_claims())
    there = open_api_store(journal_url, shared_claims=True, claims=follower.key_claims())
    try:
        # The writer claims in its own memory, on the event loop; a follower's claim may
        # wait on the writer's socket, so it is made on a thread.
        assert (here.claims_cross_processes, there.claims_cross_processes) == (False, True)
        assert here.begin("w1", "k", "h1", 1) == ("new", None, None)
        assert there.begin("w1", "k", "h1", 2) == ("same", None, None)  # running in the writer
        assert there.begin("w1", "k", "h2", 2) == ("different", None, None)
        here.finish("w1", "k", 201, '{"ok": true}')
        assert there.begin("w1", "k", "h1", 3) == ("same", 201, '{"ok": true}')
        assert there.begin("w2", "k", "h1", 4) == ("new", None, None)  # held over the socket
        assert here.begin("w2", "k", "h1", 5) == ("same", None, None)
        there.release("w2", "k")  # failed, not to be replayed: any worker may run it again
        assert here.begin("w2", "k", "h1", 6) == ("new", None, None)
        assert not any(row for row in _claim_rows(journal_url)), (
            "no claim is written to the database"
        )
    finally:
        here.close()
        there.close()
        follower.close()
        writer.close()


def test_a_followers_claims_end_with_its_link_to_the_writer(journal_url: str, address: str) -> None:
    writer = _elected(journal_url, address)
    follower = _elected(journal_url, address)
    here = open_api_store(journal_url, shared_claims=True, claims=writer.key_claims())
    there = open_api_store(journal_url, shared_claims=True, claims=follower.key_claims())
    try:
        assert there.begin("w1", "k", "h1", 1) == ("new", None, None)  # held over the link
        assert here.begin("w1", "k", "h1", 2) == ("same", None, None)
        # The follower goes (its request lost with it): the writer drops what the link held
        # at once, not after claim_stale_s, though the same process still lives.
        there.close()
        follower.close()
        _eventually(lambda: here.begin("w1", "k", "h1", 3) == ("new", None, None))
    finally:
        here.close()
        writer.close()


def test_a_claim_is_dropped_only_while_it_is_the_one_made_then() -> None:
    claims = HeldClaims()
    me = process_tag()
    assert claims.claim("w", "a", "h1", 10, me) is None
    claims.drop_if_claimed_at("w", "a", me, 9)  # another claim's time: kept
    assert claims.claim("w", "a", "h1", 11, me) == "h1"
    claims.drop_if_claimed_at("w", "a", "some-other-host/1/1", 10)  # another holder: kept
    assert len(claims) == 1
    claims.drop_if_claimed_at("w", "a", me, 10)
    assert len(claims) == 0


def test_held_claims_of_a_process_gone_or_stale_are_taken_over() -> None:
    claims = HeldClaims()
    me = process_tag()
    gone = f"{socket.gethostname()}/{2**22 + 7}/1"  # a pid that is not running here
    assert claims.claim("w", "a", "h1", 1, gone) is None
    assert claims.claim("w", "a", "h2", 2, me) is None  # its holder died: taken at once
    assert claims.claim("w", "b", "h1", 1, "some-other-host/1/1") is None
    assert claims.claim("w", "b", "h1", 2, me) == "h1"  # alive as far as anyone can tell
    stale = 1 + (claim_stale_s + 1) * 1_000_000_000
    assert claims.claim("w", "b", "h1", stale, me) is None
    claims.drop("w", "a", gone)  # no longer its claim: nothing dropped
    assert claims.claim("w", "a", "h2", 3, "some-other-host/1/1") == "h2"
    claims.drop("w", "a", me)
    claims.drop("w", "b", me)
    assert len(claims) == 0


def _claim_rows(url: str) -> list[tuple[object, ...]]:
    tables = open_tables(url, "test-claims")
    try:
        with tables.session() as db:
            return [tuple(r) for r in db.execute("SELECT * FROM api_idempotency_claims")]
    finally:
        tables.close()


def test_a_writer_stepping_down_closes_its_socket_at_once(journal_url: str, address: str) -> None:
    """Its acceptor, blocked waiting for a follower, ends with the close (it used to be
    left blocked while the writer waited for it, holding the ledger's lock meanwhile)."""
    writer = _elected(journal_url, address)
    try:
        server = writer._server
        assert server is not None
        acceptor = server._acceptor
        assert acceptor.is_alive()
        writer._step_down()
        assert not acceptor.is_alive()
        assert not Path(address).exists() or not _answers_at(address)
    finally:
        writer.close()


def _answers_at(address: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(address)
        except OSError:
            return False
    return True


def test_duties_started_before_one_that_fails_are_stopped_with_the_writer(
    journal_url: str, address: str
) -> None:
    """A duty that fails to start as a follower takes over (logged by the watcher, tried
    again at each watch) does not leave those started before it running after this process
    stops being the writer."""
    done: list[str] = []

    def started() -> Callable[[], None]:
        done.append("started")
        return lambda: done.append("stopped")

    def failing() -> Callable[[], None]:
        done.append("failed")
        raise RuntimeError("this duty cannot start")

    first = _elected(journal_url, address)
    second = _elected(journal_url, address)
    try:
        second.add_duty(started)  # a follower's duties wait for it to stand
        second.add_duty(failing)
        first.close()
        _eventually(lambda: done.count("failed") >= 2)  # tried again at the next watch
        second.close()
        assert done[0] == "started" and done[-1] == "stopped"
        assert set(done[1:-1]) == {"failed"}
    finally:
        first.close()
        second.close()


def test_a_duty_that_fails_to_start_is_tried_again_and_the_others_start(
    journal_url: str, address: str
) -> None:
    """A writer's duty failing to start (a database busy a moment, a bug) neither keeps the
    duties after it from starting nor stays unstarted for the rest of the term: each watch
    tries it again, and once started it is stopped with the others."""
    done: list[str] = []
    attempts = [0]

    def flaky() -> Callable[[], None]:
        attempts[0] += 1
        if attempts[0] < 3:
            raise RuntimeError("not yet")
        done.append("flaky started")
        return lambda: done.append("flaky stopped")

    def steady() -> Callable[[], None]:
        done.append("steady started")
        return lambda: done.append("steady stopped")

    ledger = _elected(journal_url, address)
    try:
        assert ledger.is_writer
        ledger.add_duty(flaky)  # fails, and is not raised to the one adding it
        assert attempts == [1] and done == []
        ledger.add_duty(steady)  # starts at once all the same (the first tried with it)
        assert done == ["steady started"] and attempts == [2]
        _eventually(lambda: "flaky started" in done)
        assert attempts == [3]
        ledger.close()
        # Stopped in the reverse of the order they were added, as before.
        assert done == ["steady started", "flaky started", "steady stopped", "flaky stopped"]
    finally:
        ledger.close()


def test_a_writer_set_to_retire_does_so_with_its_lock_given_up(
    journal_url: str, address: str
) -> None:
    """`retire_on_step_down` (docs/adr/0101): after a storage failure the writer closes its
    ledger, gives up its lock, then retires, and never stands again."""
    ledger = _elected(journal_url, address)
    seen: list[tuple[bool, bool]] = []
    retired = threading.Event()

    def retire() -> None:  # on the watcher's thread, as the step-down's last act
        hold = try_open_writer(journal_url, ManualClock())
        seen.append((ledger.is_writer, hold is not None))
        if hold is not None:
            hold.ledger.close()
            hold.release()
        retired.set()

    try:
        assert ledger.is_writer and not any(ledger.create_accounts([Account(1, 1, 1)]))
        ledger.retire_on_step_down(retire)
        hold = ledger._hold
        assert hold is not None
        _break_storage(hold.ledger)
        with pytest.raises(StorageUnavailable):  # which wakes the watcher
            ledger.create_accounts([Account(2, 1, 1)])
        assert retired.wait(settle_timeout_s)
        time.sleep(3 * watch_interval_s)  # the watcher's rounds: none stands again
        assert seen == [(False, True)] and not ledger.is_writer
    finally:
        ledger.close()
