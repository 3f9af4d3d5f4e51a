"""Model-based tests: random workloads on the engine and on the reference model must agree.

Each example is a list of requests (account batches, transfer batches, pulses, clock moves)
over small id spaces, so that collisions, idempotent retries, chains and expiries are common.
After every request the results, balances, flags, stored transfers and pending statuses must
match; money must be conserved and no limit broken; and at the end the ledger is closed and
reopened from its journal and must be exactly the same.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from colony.kernel.clock import ManualClock
from colony.ledger import AMOUNT_MAX, Account, Ledger, Transfer
from colony.ledger.archive import ArchivePolicy
from colony.ledger.model import AccountFlags as AF
from colony.ledger.model import TransferFlags as TF
from colony.ledger.verify import verify
from colony.storage.open import open_ledger
from tests.ledger.engines import each_engine  # noqa: F401 - every test on both paths (ADR 0069)
from tests.ledger.reference_model import Model

# Among the suite's longest files: started first (tests/conftest.py)
pytestmark = pytest.mark.slow

# Every example starts from this chart: wallets that may not go below zero, one account that
# may not be credited past its debits, open accounts, and two on another ledger. Transfers pick
# accounts 1-9 (9 never exists), so most of them reach the interesting rules.
CHART = [
    Account(1, 1, 1, int(AF.debits_must_not_exceed_credits)),
    Account(2, 1, 1, int(AF.debits_must_not_exceed_credits)),
    Account(3, 1, 1, int(AF.credits_must_not_exceed_debits)),
    Account(4, 1, 1),
    Account(5, 1, 1),
    Account(6, 1, 2),
    Account(7, 2, 1),
    Account(8, 2, 1, int(AF.debits_must_not_exceed_credits)),
]
ACCOUNT_IDS = st.integers(1, 9)
TRANSFER_IDS = st.integers(1, 24)
LEDGERS = st.sampled_from([1, 1, 1, 2])
AMOUNTS = st.one_of(
    st.integers(0, 60),
    st.integers(0, 60),
    st.integers(0, 60),
    st.sampled_from([AMOUNT_MAX, 2**128 - 2, 2**127, 2**64]),
)

account_flags = st.sampled_from(
    [
        0,
        0,
        int(AF.debits_must_not_exceed_credits),
        int(AF.credits_must_not_exceed_debits),
        int(AF.history),
        int(AF.debits_must_not_exceed_credits | AF.credits_must_not_exceed_debits),
    ]
)
accounts = st.builds(
    Account,
    id=ACCOUNT_IDS,
    ledger=LEDGERS,
    code=st.sampled_from([1, 1, 2, 0]),
    flags=account_flags,
)


@st.composite
def transfers(draw: st.DrawFn) -> Transfer:
    kind = draw(
        st.sampled_from(
            ["plain", "plain", "plain", "pending", "post", "void", "balancing", "closing", "odd"]
        )
    )
    flags = 0
    pending_id = 0
    timeout = 0
    amount = draw(AMOUNTS)
    # Mostly two accounts of one ledger and that ledger; sometimes anything at all.
    group = draw(st.sampled_from([(1, 2, 3, 4, 5, 6)] * 8 + [(7, 8)] * 2 + [tuple(range(1, 10))]))
    debit, credit = draw(st.sampled_from(group)), draw(st.sampled_from(group))
    ledger = 2 if debit in (7, 8) else 1
    if draw(st.integers(0, 9)) == 0:
        ledger = draw(LEDGERS)
    code = draw(st.sampled_from([1, 1, 1, 2]))
    transfer_id = draw(TRANSFER_IDS)
    if kind == "pending":
        flags = int(TF.pending)
        transfer_id = draw(st.integers(1, 8))
        timeout = draw(st.sampled_from([0, 1, 1, 2, 5]))
    elif kind in ("post", "void"):
        flags = int(TF.post_pending_transfer if kind == "post" else TF.void_pending_transfer)
        pending_id = draw(st.integers(1, 9))
        amount = draw(st.one_of(st.just(AMOUNT_MAX), st.just(0), st.integers(0, 60)))
        if draw(st.booleans()):
            debit = credit = ledger = code = 0
    elif kind == "balancing":
        flags = int(
            draw(
                st.sampled_from(
                    [
                        TF.balancing_debit,
                        TF.balancing_credit,
                        TF.balancing_debit | TF.balancing_credit,
                    ]
                )
            )
        )
    elif kind == "closing":
        flags = int(TF.pending | draw(st.sampled_from([TF.closing_debit, TF.closing_credit])))
    elif kind == "odd":
        flags = draw(st.integers(0, 2**10 - 1))
        pending_id = draw(st.sampled_from([0, 0, 1]))
        timeout = draw(st.sampled_from([0, 0, 1]))
    if draw(st.integers(0, 5)) == 0:
        flags |= int(TF.linked)
    return Transfer(
        id=transfer_id,
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        ledger=ledger,
        code=code,
        flags=flags & ~int(TF.imported),
        pending_id=pending_id,
        timeout=timeout,
        user_data_64=draw(st.sampled_from([0, 0, 7])),
    )


requests = st.lists(
    st.one_of(
        st.tuples(st.just("accounts"), st.lists(accounts, min_size=1, max_size=3)),
        st.tuples(st.just("transfers"), st.lists(transfers(), min_size=0, max_size=8)),
        st.tuples(st.just("transfers"), st.lists(transfers(), min_size=1, max_size=8)),
        st.tuples(st.just("advance"), st.sampled_from([0.5, 1.0, 1.0, 2.5])),
        st.tuples(st.just("pulse"), st.just(0)),
    ),
    min_size=1,
    max_size=30,
)


def _state(ledger: Ledger) -> tuple[object, ...]:
    accounts_ = sorted((asdict(a) for a in ledger.all_accounts()), key=lambda a: a["id"])
    transfers_ = sorted((asdict(t) for t in ledger.all_transfers()), key=lambda t: t["id"])
    statuses = {t["id"]: ledger.pending_status(t["id"]).name for t in transfers_}  # type: ignore[union-attr]
    return accounts_, transfers_, statuses


def _model_state(model: Model) -> tuple[object, ...]:
    accounts_ = sorted((asdict(a) for a in model.s.accounts.values()), key=lambda a: a["id"])
    transfers_ = sorted((asdict(t) for t in model.s.transfers.values()), key=lambda t: t["id"])
    statuses = {t["id"]: model.s.status.get(t["id"], "none") for t in transfers_}
    return accounts_, transfers_, statuses


def _check_statements(ledger: Ledger) -> None:
    """Each account's history: one line per transfer touching it and per expiry of one of its
    holds, in time order, ending at the account's balances."""
    transfers_ = list(ledger.all_transfers())
    for account in ledger.all_accounts():
        touching = [
            t for t in transfers_ if account.id in (t.debit_account_id, t.credit_account_id)
        ]
        expiries = [t for t in touching if ledger.expired_at(t.id) is not None]
        page = ledger.statement(account.id, limit=8190)
        assert len(page.lines) == len(touching) + len(expiries), f"account {account.id} history"
        stamps = [line.timestamp for line in page.lines]
        assert stamps == sorted(stamps)
        # Small pages both ways, and the balance at each line's time, give the same history
        # (with history on disk, they cross from the archive into memory).
        assert _paged(ledger, account.id, reverse=False) == page.lines
        assert _paged(ledger, account.id, reverse=True) == page.lines[::-1]
        for line in page.lines:
            assert ledger.balance_at(account.id, line.timestamp) == line.balance
        if page.lines:
            last = page.lines[-1].balance
            assert (
                last.debits_pending,
                last.debits_posted,
                last.credits_pending,
                last.credits_posted,
            ) == (
                account.debits_pending,
                account.debits_posted,
                account.credits_pending,
                account.credits_posted,
            ), f"account {account.id}: statement ends elsewhere than its balances"


def _paged(ledger: Ledger, account_id: int, *, reverse: bool) -> list[object]:
    lines: list[object] = []
    cursor: int | None = None
    while True:
        if reverse:
            page = ledger.statement(account_id, before_timestamp=cursor, limit=3, reverse=True)
        else:
            page = ledger.statement(account_id, after_timestamp=cursor or 0, limit=3)
        lines += page.lines
        if page.next_cursor is None:
            return lines
        cursor = page.next_cursor


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(requests)
def test_engine_agrees_with_reference_model(plan: list[tuple[str, object]]) -> None:
    _run_plan(plan, reopen_at=None)


# History moves to disk after a handful of transfers, and a filter small enough to say "maybe"
# often, so lookups, statements and statuses cross from memory to disk all the time; pages of
# two entries merged two runs at a time, so reads cross pages and runs of several levels.
HISTORY_ON_DISK = ArchivePolicy(
    window_transfers=2,
    chunk_transfers=3,
    filter_bits=64,
    page_entries=2,
    merge_fan_in=2,
    merge_fan_in_disjoint=3,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(requests, st.one_of(st.none(), st.integers(0, 40)))
def test_engine_with_history_on_disk_agrees_with_reference_model(
    plan: list[tuple[str, object]], reopen_at: int | None
) -> None:
    """The same with posted history archived after a few transfers (docs/adr/0034): ids older
    than memory stay idempotent, posts and voids find their old pending transfers, statements
    cross the boundary, and a reopen from a checkpoint or the journal gives the same state."""
    _run_plan(plan, reopen_at=reopen_at, history=HISTORY_ON_DISK)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(requests, st.integers(0, 40))
def test_engine_reopened_from_a_checkpoint_mid_run_still_agrees(
    plan: list[tuple[str, object]], reopen_at: int
) -> None:
    """The same, with a checkpoint written and the ledger reopened from it at one step: pending
    holds, expiries, failed ids and histories all carry over (docs/adr/0027)."""
    _run_plan(plan, reopen_at=reopen_at)


def _run_plan(
    plan: list[tuple[str, object]], reopen_at: int | None, history: ArchivePolicy | None = None
) -> None:
    clock = ManualClock()
    model = Model()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/model.db"
        ledger = open_ledger(url, clock=clock, auto_pulse=False, history=history)
        try:
            chart = [Account(a.id, a.ledger, a.code, a.flags) for a in CHART]
            assert ledger.create_accounts(chart) == model.create_accounts(chart, clock.now_ns())
            for step, (kind, payload) in enumerate(plan):
                if step == reopen_at:
                    ledger = _reopened_from_a_checkpoint(ledger, url, clock, history)
                if kind == "accounts":
                    got = ledger.create_accounts(payload)  # type: ignore[arg-type]
                    want = model.create_accounts(payload, clock.now_ns())  # type: ignore[arg-type]
                    assert got == want, f"step {step}: accounts {payload}: {got} != {want}"
                elif kind == "transfers":
                    got_t = ledger.create_transfers(payload)  # type: ignore[arg-type]
                    want_t = model.create_transfers(payload, clock.now_ns())  # type: ignore[arg-type]
                    assert got_t == want_t, f"step {step}: transfers {payload}: {got_t} != {want_t}"
                    for result in got_t:
                        event(result.name)
                elif kind == "advance":
                    clock.advance(payload)  # type: ignore[arg-type]
                else:
                    ledger.pulse()
                    model.pulse(clock.now_ns())
                assert _state(ledger) == _model_state(model), f"state differs after step {step}"
                _check_statements(ledger)
                report = verify(*ledger.snapshot_for_verify())
                assert report.ok, report
            before = _state(ledger)
        finally:
            ledger.close()
        reopened = open_ledger(url, clock=clock, auto_pulse=False, history=history)
        try:
            assert _state(reopened) == before, "replaying the journal gave another state"
        finally:
            reopened.close()


def _reopened_from_a_checkpoint(
    ledger: Ledger, url: str, clock: ManualClock, history: ArchivePolicy | None
) -> Ledger:
    before = _state(ledger)
    seq = ledger.checkpoint().seq
    ledger.close()
    reopened = open_ledger(url, clock=clock, auto_pulse=False, history=history)
    assert reopened.opened_from_checkpoint == seq and reopened.replayed_entries == 0
    assert _state(reopened) == before, "the checkpoint gave another state"
    return reopened
