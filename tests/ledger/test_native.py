"""The C hot path and the Python it shadows agree event for event (docs/adr/0069).

The table and model tests run on both paths (tests/ledger/engines.py); these hold the two
against each other directly: the same random batches applied to two fresh states must give
the same results and leave the same state (balances, stored transfers, every account's history
and snapshots, the figures by ledger and code), and the codec must pack and unpack the same
bytes. A wrong reference count in the C path shows as a difference too.
"""

from __future__ import annotations

import gc
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colony.bench.ledger_bench import iter_packed_batches
from colony.kernel.errors import InvalidInput
from colony.ledger import checkpoint, codec, native
from colony.ledger.accounts import create_accounts
from colony.ledger.archive import ArchivePolicy, IdFilter, build_job, drop_archived
from colony.ledger.history import Expiry, checkpoint_lines
from colony.ledger.model import Account, AccountFlags, Transfer, TransferFlags
from colony.ledger.results import CreateTransferResult
from colony.ledger.service import _pack
from colony.ledger.state import LedgerState, LiveAccount, public_account
from colony.ledger.transfers import create_transfers
from colony.storage.open import open_ledger
from tests.ledger.engines import ENGINES, running_on
from tests.ledger.test_model_based import CHART, accounts, transfers

NS = 1_000_000_000
START_NS = 1_700_000_000 * NS
U128 = st.integers(0, 2**128 - 1)


def _line(line: Transfer | Expiry) -> object:
    if isinstance(line, Expiry):
        return ("expiry", line.timestamp, line.transfer.id)
    return tuple(asdict(line).values())


def _digest(state: LedgerState) -> object:
    return (
        [
            (
                tuple(asdict(public_account(a)).values()),
                [_line(x) for x in a.lines],
                list(a.checkpoints),
                a.trimmed,
                list(a.sums),
            )
            for a in state.accounts.values()
        ],
        [tuple(asdict(t).values()) for t in state.transfers.values()],
        dict(state.failed_transfer_ids),
        dict(state.failed_at),
        dict(state.pending_status),
        {k: list(v) for k, v in state.sums.items()},
        state.last_timestamp,
        state.last_transfer_timestamp,
    )


def _run(
    engine: str, chart: list[Account], batches: list[list[Transfer]], filtered: bool
) -> tuple[list[list[int]], object]:
    with running_on(engine):
        state = LedgerState()
        if filtered:
            # Ids the filter says "maybe" to go to the Python path (it reads the disk there).
            state.id_filter = IdFilter(1 << 10)
            for tid in range(1, 25, 3):
                state.id_filter.add(tid)
        now = START_NS
        results = [[int(r) for r in create_accounts(state, chart, now)]]
        for batch in batches:
            now += NS
            results.append([int(r) for r in create_transfers(state, list(batch), now)])
        return results, _digest(state)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(accounts, max_size=4, unique_by=lambda a: a.id),
    st.lists(st.lists(transfers(), max_size=14), min_size=1, max_size=6),
    st.booleans(),
)
def test_both_paths_agree_event_for_event(
    extra: list[Account], batches: list[list[Transfer]], filtered: bool
) -> None:
    chart = CHART + [a for a in extra if a.id not in {c.id for c in CHART}]
    c = _run("c", chart, batches, filtered)
    python = _run("python", chart, batches, filtered)
    assert c == python


# Plain transfers among a few funded and limited accounts, now and then one to an account
# that does not exist, one between the same account, or one that is not plain: long runs
# the C path applies itself, broken where the Python path must decide.
_PLAIN_RUN_ACCOUNTS = 6
_PAIRS = [
    (d, c)
    for d in range(1, _PLAIN_RUN_ACCOUNTS + 1)
    for c in range(1, _PLAIN_RUN_ACCOUNTS + 1)
    if d != c
]
plain_runs = st.lists(
    st.tuples(
        st.sampled_from(_PAIRS * 20 + [(1, 8), (8, 2), (3, 3)]),  # 8: no such account
        st.integers(1, 400),
        st.sampled_from([0] * 40 + [int(TransferFlags.pending), int(TransferFlags.linked)]),
    ),
    min_size=17,
    max_size=120,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(plain_runs, min_size=1, max_size=3))
def test_both_paths_agree_over_runs_longer_than_the_c_paths_look_ahead(
    runs: list[list[tuple[tuple[int, int], int, int]]],
) -> None:
    # The C path finds the accounts of 16 transfers before applying any of them (_native.c,
    # look_ahead): runs past that, with refusals and unknown accounts among them.
    n = _PLAIN_RUN_ACCOUNTS
    fund = [Transfer(i, n + 1, i, 20_000, 1, 1) for i in range(1, n + 1)]
    batches, next_id = [fund], 100
    for run in runs:
        batch = []
        for (dr, cr), amount, flags in run:
            batch.append(Transfer(next_id, dr, cr, amount, 1, 1, flags=flags))
            next_id += 1
        batches.append(batch)
    c = _run("c", _busy_chart(n), batches, False)
    assert c == _run("python", _busy_chart(n), batches, False)


def _archived(engine: str, state: LedgerState, chunk: int) -> object:
    """Archive jobs of `chunk` transfers until memory holds less than one, dropping each as if
    it were durable: every job's contents, then the state left."""
    policy = ArchivePolicy(window_transfers=0, chunk_transfers=chunk, filter_bits=1 << 10)
    jobs = []
    with running_on(engine):
        while (job := build_job(state, policy)) is not None:
            jobs.append(
                (
                    job.through,
                    job.outcomes,
                    job.failures,
                    job.snapshots,
                    [(account.id, k, going) for account, k, going in job.trims],
                )
            )
            drop_archived(state, job, policy.filter_bits)
    return jobs, _digest(state)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(transfers(), max_size=14), min_size=1, max_size=6),
    st.integers(1, 9),
)
def test_both_paths_archive_alike(batches: list[list[Transfer]], chunk: int) -> None:
    states = {engine: _state_after("python", CHART, batches) for engine in ENGINES}
    assert _archived("c", states["c"], chunk) == _archived("python", states["python"], chunk)


def test_both_paths_archive_long_histories_and_their_snapshots_alike() -> None:
    n = 5
    batches = _long_histories(n)
    states = {engine: _state_after("python", _busy_chart(n), batches) for engine in ENGINES}
    c = _archived("c", states["c"], 1_000)
    assert c == _archived("python", states["python"], 1_000)
    assert any(job[3] for job in c[0])  # snapshots went to disk with their lines


@pytest.mark.parametrize("chunk", [37, 1_000])
def test_both_paths_archive_jobs_of_more_accounts_than_the_c_paths_look_ahead_alike(
    chunk: int,
) -> None:
    # The C path finds 16 accounts of a job at a time, and asks ahead for later trims'
    # records (_native.c): jobs touching 41 accounts, with snapshots among their lines.
    n = 40
    batches = _long_histories(n)
    states = {engine: _state_after("python", _busy_chart(n), batches) for engine in ENGINES}
    c = _archived("c", states["c"], chunk)
    assert c == _archived("python", states["python"], chunk)
    assert max(len(job[4]) for job in c[0]) > 2 * 16  # trims of more accounts than 16
    assert any(job[3] for job in c[0])


def _state_after(engine: str, chart: list[Account], batches: list[list[Transfer]]) -> LedgerState:
    with running_on(engine):
        state = LedgerState()
        now = START_NS
        create_accounts(state, chart, now)
        for batch in batches:
            now += NS
            create_transfers(state, list(batch), now)
        return state


def _long_histories(n: int) -> list[list[Transfer]]:
    """Enough lines on few accounts to pass several snapshots, payers running out midway."""
    funding = [Transfer(100 + i, n + 1, i, 1_000, 1, 1) for i in range(1, n + 1)]
    spending = [
        # Half of it to the unlimited account, out of the circle, so payers run short.
        Transfer(1_000 + k, 1 + k % n, n + 1 if k % 2 else 1 + (k * 7 + 3) % n, 1 + k % 13, 1, 1)
        for k in range(3 * checkpoint_lines * n)
    ]
    return [funding] + [spending[i : i + 8_190] for i in range(0, len(spending), 8_190)]


def _busy_chart(accounts_n: int) -> list[Account]:
    limited = int(AccountFlags.debits_must_not_exceed_credits)
    return [Account(i, 1, 1, limited) for i in range(1, accounts_n + 1)] + [
        Account(accounts_n + 1, 1, 1)
    ]


def test_long_histories_take_their_snapshots_alike_and_run_short_alike() -> None:
    """Enough lines on few accounts to pass several snapshots, payers running out midway."""
    n = 5
    batches = _long_histories(n)
    c = _run("c", _busy_chart(n), batches, False)
    assert c == _run("python", _busy_chart(n), batches, False)
    results = [r for batch in c[0] for r in batch]
    assert int(CreateTransferResult.exceeds_credits) in results  # some payers ran short
    assert results.count(0) > 2 * checkpoint_lines


def test_the_c_path_applies_and_refuses_by_limit_itself_and_stops_where_python_must_decide() -> (
    None
):
    ok, r = CreateTransferResult.ok, CreateTransferResult
    with running_on("c"):
        fast = native.engine
        assert fast is not None
        state = LedgerState()
        receives_only_what_it_paid = Account(
            5, 1, 1, int(AccountFlags.credits_must_not_exceed_debits)
        )
        assert not any(
            create_accounts(state, [*_busy_chart(3), receives_only_what_it_paid], START_NS)
        )
        batch = [Transfer(10, 4, 1, 50, 1, 1), Transfer(11, 1, 2, 20, 1, 1)]
        batch.append(Transfer(12, 1, 2, 31, 1, 1))  # 1 holds 30 now: exceeds its credits
        batch.append(Transfer(13, 2, 3, 5, 1, 1))
        batch.append(Transfer(14, 4, 5, 1, 1, 1))  # 5 has paid nothing: exceeds its debits
        batch.append(Transfer(15, 9, 1, 5, 1, 1))  # no account 9: the Python path names it
        results = [ok] * len(batch)
        base = START_NS + NS
        assert fast.apply_plain(batch, 0, len(batch), base, *_state_args(state, results)) == 5
        assert results == [ok, ok, r.exceeds_credits, ok, r.exceeds_debits, ok]
        assert state.failed_transfer_ids == {12: r.exceeds_credits, 14: r.exceeds_debits}
        assert state.failed_at == {12: base + 2, 14: base + 4}
        assert state.accounts[1].debits_posted == 20 and 12 not in state.transfers
        assert state.accounts[5].credits_posted == 0 and 14 not in state.transfers
        assert set(state.transfers) == {10, 11, 13}
        assert create_transfers(state, batch[5:], START_NS + 2 * NS) == [r.debit_account_not_found]
        # A refused id is burned: taken again, the Python path answers so.
        assert create_transfers(state, [Transfer(12, 4, 1, 1, 1, 1)], START_NS + 3 * NS) == [
            r.id_already_failed
        ]


def _state_args(state: LedgerState, results: list[CreateTransferResult]) -> tuple[object, ...]:
    return (
        state.transfers,
        state.failed_transfer_ids,
        state.failed_at,
        results,
        state.accounts,
        None,
        0,
        0,
    )


def test_the_c_path_holds_references_as_the_python_path_does() -> None:
    """Each path stores the same objects the same number of times: a missing or extra
    reference count in C would differ here (and leak or crash later)."""
    counts = {}
    for engine in ENGINES:
        # Made afresh for each path (not cached small ints, not shared code constants).
        amount, user_data = int("1" + "0" * 30), int(str(2**100 + 1))
        batch = [
            Transfer(2**90 + i, 4, 1 + i % 3, amount, 1, 1, user_data_128=user_data)
            for i in range(50)
        ]
        before = sys.getrefcount(amount), sys.getrefcount(user_data)
        with running_on(engine):
            state = LedgerState()
            create_accounts(state, _busy_chart(3), START_NS)
            assert not any(create_transfers(state, batch, START_NS + NS))
            counts[engine] = (
                sys.getrefcount(amount) - before[0],
                sys.getrefcount(user_data) - before[1],
                [sys.getrefcount(state.transfers[t.id]) for t in batch],
            )
            del state
    assert counts["c"] == counts["python"]


transfer_fields = st.builds(
    Transfer,
    id=U128,
    debit_account_id=U128,
    credit_account_id=U128,
    amount=U128,
    ledger=st.integers(0, 2**32 - 1),
    code=st.integers(0, 2**16 - 1),
    flags=st.integers(0, 2**16 - 1),
    pending_id=U128,
    timeout=st.integers(0, 2**32 - 1),
    user_data_128=U128,
    user_data_64=st.integers(0, 2**64 - 1),
    user_data_32=st.integers(0, 2**32 - 1),
    timestamp=st.integers(0, 2**64 - 1),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(transfer_fields, max_size=20))
def test_both_codecs_pack_and_unpack_the_same_bytes(events: list[Transfer]) -> None:
    packed = {}
    for engine in ENGINES:
        with running_on(engine):
            packed[engine] = codec.pack_transfers(events)
            assert codec.unpack_transfers(packed[engine]) == events
            assert codec.unpack_transfers(memoryview(packed[engine])) == events
    assert packed["c"] == packed["python"]


def _live(account: LiveAccount, lines: int, snapshots: int, trimmed: int) -> LiveAccount:
    account.lines = [Transfer(k + 1, 1, 2, 5, 1, 1) for k in range(lines)]
    account.checkpoints = [(k * checkpoint_lines, 1, 2, 3, 4) for k in range(snapshots)]
    account.trimmed = trimmed
    account.sums = [0, 0, 0, 0]
    return account


account_fields = st.builds(
    _live,
    st.builds(
        LiveAccount,
        id=U128,
        ledger=st.integers(0, 2**32 - 1),
        code=st.integers(0, 2**16 - 1),
        flags=st.integers(0, 2**16 - 1),
        debits_pending=U128,
        debits_posted=U128,
        credits_pending=U128,
        credits_posted=U128,
        user_data_128=U128,
        user_data_64=st.integers(0, 2**64 - 1),
        user_data_32=st.integers(0, 2**32 - 1),
        reserved=st.integers(0, 2**32 - 1),
        timestamp=st.integers(0, 2**64 - 1),
    ),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from([0, 1, 255, 2**31, 2**62]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(account_fields, max_size=20))
def test_both_paths_take_a_checkpoints_accounts_the_same(accounts: list[LiveAccount]) -> None:
    """The accounts' part of a checkpoint (docs/adr/0117): packed, lines counted, snapshots
    and trims, by the C path in one pass and by the Python it shadows."""
    taken = {}
    for engine in ENGINES:
        with running_on(engine):
            taken[engine] = checkpoint._accounts_taken(accounts)
    assert taken["c"] == taken["python"]
    assert [asdict(a) for a in codec.unpack_accounts(taken["c"][0])] == [
        asdict(public_account(a)) for a in accounts
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("debits_posted", 2**128), ("debits_posted", -1), ("debits_posted", 1.5),
     ("ledger", 2**32), ("code", 2**16), ("timestamp", 2**64), ("reserved", 2**32),
     ("trimmed", -1), ("lines", ()), ("checkpoints", None)],
)  # fmt: skip
def test_an_account_the_c_path_does_not_expect_leaves_it_to_the_python_one(
    field: str, value: object
) -> None:
    bad = _live(LiveAccount(7, 1, 1), 1, 0, 0)
    setattr(bad, field, value)
    with running_on("c"):
        assert native.engine is not None
        assert (
            native.engine.checkpoint_accounts([_live(LiveAccount(6, 1, 1), 0, 0, 0), bad]) is None
        )
        plain = Account(6, 1, 1)  # not the writer's record
        assert native.engine.checkpoint_accounts([plain]) is None


@pytest.mark.parametrize(
    ("event", "named"),
    [
        (Transfer(1, 1, 2, 1.5, 1, 1), "amount must be an integer, not float"),  # type: ignore[arg-type]
        (Transfer(1, 1, 2, -1, 1, 1), "amount must be an unsigned 128-bit integer"),
        (Transfer(1, 1, 2, 2**128, 1, 1), "amount must be an unsigned 128-bit integer"),
        (Transfer(1, 1, 2, 5, 2**32, 1), "ledger must be an unsigned 32-bit integer"),
    ],
)
def test_a_field_out_of_range_is_named_on_both_paths(event: Transfer, named: str) -> None:
    for engine in ENGINES:
        with running_on(engine), pytest.raises(InvalidInput, match=named):
            _pack([Transfer(9, 1, 2, 5, 1, 1), event], codec.pack_transfers, "transfer")


# Around each of CPython's 30-bit digits, 64 bits and 128 bits: the C path reads an int's
# digits in place, and must take and refuse exactly what the Python path does.
TAKEN = [0, 1, 2**30 - 1, 2**30, 2**60, 2**64 - 1, 2**64, 2**90 - 1, 2**90, 2**120, 2**128 - 1]
REFUSED = [2**128, 2**128 + 1, 2**150 - 1, 2**150, 2**300, -1, -(2**64)]


@pytest.mark.parametrize("value", TAKEN)
def test_every_width_of_a_128_bit_field_is_taken_alike(value: int) -> None:
    event = Transfer(value or 1, 1, 2, value, 1, 1, user_data_128=value)
    for engine in ENGINES:
        with running_on(engine):
            assert codec.unpack_transfers(codec.pack_transfers([event])) == [event]


@pytest.mark.parametrize("value", REFUSED)
def test_past_128_bits_or_below_zero_is_refused_alike(value: int) -> None:
    for engine in ENGINES:
        with running_on(engine), pytest.raises(InvalidInput, match="amount must be an unsigned"):
            _pack([Transfer(1, 1, 2, value, 1, 1)], codec.pack_transfers, "transfer")


def test_the_c_paths_transfers_are_off_the_collectors_lists() -> None:
    # They hold ints only, so no cycle can run through them: the collector need not walk
    # them (and a window of them made every collection slow).
    with running_on("c"):
        decoded = codec.unpack_transfers(codec.pack_transfers([Transfer(7, 4, 1, 5, 1, 1)]))
        assert not gc.is_tracked(decoded[0])
        state = LedgerState()
        create_accounts(state, _busy_chart(3), START_NS)
        assert not any(create_transfers(state, decoded, START_NS + NS))
        assert not gc.is_tracked(state.transfers[7])


def test_the_c_paths_archive_tuples_are_off_the_collectors_lists() -> None:
    # A job's trims and snapshots, and the snapshots it renumbers, hold ints and accounts
    # only: tracked, each young collection read every account a job touched (issue 12).
    n = 5
    state = _state_after("c", _busy_chart(n), _long_histories(n))
    policy = ArchivePolicy(window_transfers=0, chunk_transfers=300, filter_bits=1 << 10)
    made: list[object] = []
    renumbered: list[object] = []
    snapshots = 0
    with running_on("c"):
        while (job := build_job(state, policy)) is not None:
            made += job.trims + job.snapshots + [s[2] for s in job.snapshots]
            snapshots += len(job.snapshots)
            drop_archived(state, job, policy.filter_bits)
            renumbered += [cp for a in state.accounts.values() for cp in a.checkpoints]
    assert snapshots and renumbered  # snapshots went to disk, and some were renumbered
    assert not any(gc.is_tracked(t) for t in made + renumbered)


def test_the_c_paths_transfers_hold_their_accounts_own_ids() -> None:
    # Equal values on both paths; on the C path the same objects as the accounts' keys, so a
    # window of transfers keeps no copies of them and later lookups match by identity.
    payer, payee = 2**70 + 1, 2**70 + 2
    with running_on("c"):
        state = LedgerState()
        assert not any(
            create_accounts(state, [Account(payer, 1, 1), Account(payee, 1, 1)], START_NS)
        )
        # Made afresh: equal to the accounts' ids, not the same objects.
        dr, cr = int(str(payer)), int(str(payee))
        assert dr is not state.accounts[payer].id
        held = sys.getrefcount(dr), sys.getrefcount(cr)
        assert not any(create_transfers(state, [Transfer(7, dr, cr, 5, 1, 1)], START_NS + NS))
        stored = state.transfers[7]
        assert (stored.debit_account_id, stored.credit_account_id) == (payer, payee)
        assert stored.debit_account_id is state.accounts[payer].id
        assert stored.credit_account_id is state.accounts[payee].id
        assert (sys.getrefcount(dr), sys.getrefcount(cr)) == held


def test_a_packed_batch_is_taken_whole_or_refused_naming_its_size(tmp_path: Path) -> None:
    with open_ledger(f"sqlite:///{tmp_path}/packed.db") as ledger:
        assert not any(ledger.create_accounts(_busy_chart(2)))
        funded = [Transfer(10, 3, 1, 100, 1, 1), Transfer(11, 1, 2, 250, 1, 1)]
        body = codec.pack_transfers(funded)
        assert ledger.submit_packed_transfers(body).result() == [0, 66]
        with pytest.raises(InvalidInput, match="whole number of 128-byte transfers, not 129"):
            ledger.submit_packed_transfers(body[:129])
        with pytest.raises(InvalidInput, match="at most 8190 events, not 8191"):
            ledger.submit_packed_transfers(bytes(128 * 8191))
        # The journal holds the batch as it came, and a reopen replays it to the same state.
        balance = ledger.lookup_accounts([1])[0].credits_posted
    with open_ledger(f"sqlite:///{tmp_path}/packed.db") as reopened:
        assert reopened.lookup_accounts([1])[0].credits_posted == balance == 100


@pytest.mark.parametrize("hot", [0.0, 0.9])
def test_the_benchmarks_workload_is_seeded_and_well_formed(hot: float) -> None:
    first = list(iter_packed_batches(50, 20_000, hot, 7, 1 << 64))
    assert first == list(iter_packed_batches(50, 20_000, hot, 7, 1 << 64))
    assert first != list(iter_packed_batches(50, 20_000, hot, 8, 1 << 64))
    events = [t for body in first for t in codec.unpack_transfers(body)]
    assert [len(b) // 128 for b in first] == [8_190, 8_190, 3_620]
    assert [t.id for t in events] == list(range(1 << 64, (1 << 64) + 20_000))
    assert all(1 <= t.amount <= 10_000 and (t.ledger, t.code) == (840, 1) for t in events)
    assert all(t.debit_account_id != t.credit_account_id for t in events)
    assert all(1 <= t.debit_account_id <= 50 and 1 <= t.credit_account_id <= 50 for t in events)
    to_hot = sum(t.credit_account_id == 1 for t in events) / len(events)
    refunds = sum(t.debit_account_id == 1 for t in events) / len(events)
    if hot:
        assert 0.8 < to_hot < 0.9 and 0.03 < refunds < 0.07
    else:
        assert to_hot < 0.05 and refunds < 0.05


@settings(max_examples=50, deadline=None)
@given(ids=st.lists(U128, max_size=300), filter_bits=st.sampled_from([8, 1 << 10, 1 << 16]))
def test_both_paths_set_the_same_filter_bits(ids: list[int], filter_bits: int) -> None:
    records = codec.pack_transfers([Transfer(tid, 1, 2, 1, 1, 1) for tid in ids])
    found = []
    for engine in ("c", "python"):
        with running_on(engine):
            made = IdFilter(filter_bits)
            made.add_records(records)
            found.append((made.to_bytes(), made.top))
    one_by_one = IdFilter(filter_bits)
    for tid in ids:
        one_by_one.add(tid)
    assert found[0] == found[1] == (one_by_one.to_bytes(), one_by_one.top)


def test_the_c_filter_refuses_bits_and_records_that_do_not_fit() -> None:
    with running_on("c"):
        fast = native.engine
        assert fast is not None
        with pytest.raises(ValueError, match="mask \\+ 1 bits"):
            fast.filter_add_records(bytearray(16), (1 << 10) - 1, b"")  # 128 bits, not 1,024
        with pytest.raises(ValueError, match="mask \\+ 1 bits"):
            fast.filter_add_records(bytearray(128), 1000, b"")  # not a power of two, less one
        with pytest.raises(ValueError, match="128 bytes each"):
            fast.filter_add_records(bytearray(128), 1023, b"x" * 100)
