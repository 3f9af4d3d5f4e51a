"""The archive's id filter (ledger/archive.py, docs/adr/0077): "no" is certain, and an id above
every id added is "no" however full the bits are; on both paths, and kept by checkpoints."""

from __future__ import annotations

import pickle
import random
import zlib
from pathlib import Path

import pytest

from colony.kernel.clock import ManualClock
from colony.ledger import checkpoint, codec, native
from colony.ledger.accounts import create_accounts
from colony.ledger.archive import IdFilter
from colony.ledger.checkpoint import NO_CHECKPOINTS, Watermark, decode, encode
from colony.ledger.model import Account, Transfer
from colony.ledger.results import CreateTransferResult
from colony.ledger.state import LedgerState
from colony.ledger.transfers import create_transfers
from colony.storage import history_runs as hr
from colony.storage.ledger_archive import SqlHistoryArchive
from colony.storage.open import open_ledger, open_tables
from tests.ledger.engines import ENGINES, running_on

START_NS = 1_700_000_000_000_000_000
FULL = b"\xff" * 8  # 64 bits, every one set: the bits alone answer "maybe" to every id
BIG = (7 << 64) | 5  # ids with a high half, so the top is compared on all 128 bits


@pytest.mark.parametrize(
    ("added", "asked", "maybe"),
    [
        ([], 1, False),  # nothing added: nothing is below the top
        ([10], 10, True),
        ([10], 11, False),
        ([10, 3], 4, True),  # below the top, the bits decide
        ([BIG], BIG + 1, False),
        ([BIG], (6 << 64) | (1 << 63), True),
        ([BIG, 1 << 100], BIG + 1, True),
        ([(1 << 128) - 2], (1 << 128) - 2, True),
    ],
)
def test_an_id_above_the_top_is_never_archived_whatever_the_bits_say(
    added: list[int], asked: int, maybe: bool
) -> None:
    f = IdFilter(64, FULL)
    for key in added:
        f.add(key)
    assert f.may_hold(asked) is maybe
    # The same filter built from codec records (as the archive's drop does) has the same top.
    g = IdFilter(64, FULL)
    g.add_records(codec.pack_transfers([Transfer(k, 1, 2, 1, 1, 1) for k in added]))
    assert g.top == f.top == max(added, default=0)
    assert g.may_hold(asked) is maybe


def test_ids_added_one_by_one_from_records_or_from_entries_set_the_same_bits_and_top() -> None:
    rng = random.Random(5)
    ids = [rng.getrandbits(rng.choice([8, 64, 127, 128])) or 1 for _ in range(3000)]
    one_by_one, from_records, from_entries = (IdFilter(1 << 12) for _ in range(3))
    for key in ids:
        one_by_one.add(key)
    from_records.add_records(codec.pack_transfers([Transfer(k, 1, 2, 1, 1, 1) for k in ids]))
    from_entries.add_entries(hr.failure_entries([(k, i) for i, k in enumerate(ids)]).tobytes())
    assert one_by_one.to_bytes() == from_records.to_bytes() == from_entries.to_bytes()
    assert one_by_one.top == from_records.top == from_entries.top == max(ids)


def test_bits_still_answer_below_the_top() -> None:
    f = IdFilter(1 << 16)
    for key in range(1000, 2000, 7):
        f.add(key)
    assert all(f.may_hold(k) for k in range(1000, 2000, 7))
    assert f.top == 1994
    assert not f.may_hold(1995)
    assert sum(f.may_hold(k) for k in range(1, 1000)) < 100  # mostly "no" below, by the bits


class _AskedArchive(SqlHistoryArchive):
    """The real archive, noting each id the ledger asks it about."""

    def __init__(self, url: str) -> None:
        super().__init__(open_tables(url, "colony-test-a"), open_tables(url, "colony-test-b"))
        self.asked: list[int] = []

    def transfer(self, transfer_id: int) -> Transfer | None:
        self.asked.append(transfer_id)
        return super().transfer(transfer_id)

    def failed_at(self, transfer_id: int) -> int | None:
        self.asked.append(transfer_id)
        return super().failed_at(transfer_id)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_full_filter_sends_only_ids_at_or_below_its_top_to_the_disk(
    engine: str, tmp_path: Path
) -> None:
    """A ledger years old has a filter whose bits are nearly all set: new, time-ordered ids
    are still decided in memory, and only an older one is asked of the archive."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    open_ledger(url, clock=ManualClock(), auto_pulse=False, checkpoints=NO_CHECKPOINTS).close()
    archive = _AskedArchive(url)
    try:
        with running_on(engine):
            state = LedgerState()
            assert not any(create_accounts(state, [Account(1, 1, 1), Account(2, 1, 1)], START_NS))
            state.id_filter = IdFilter(64, FULL, top=500)
            state.archive = archive
            batch = [Transfer(tid, 1, 2, 1, 1, 1) for tid in (501, 502, 400, 503)]
            assert not any(create_transfers(state, batch, START_NS + 1_000))
            assert set(state.transfers) == {400, 501, 502, 503}
            assert set(archive.asked) == {400}
    finally:
        archive.close()


def test_the_c_path_leaves_its_run_only_for_an_id_at_or_below_the_top() -> None:
    with running_on("c"):
        fast = native.engine
        assert fast is not None
        for top, decided in ((500, 2), (501, 0), ((1 << 128) - 1, 0), (0, 4)):
            state = LedgerState()
            assert not any(create_accounts(state, [Account(1, 1, 1), Account(2, 1, 1)], START_NS))
            batch = [Transfer(tid, 1, 2, 1, 1, 1) for tid in (501, 502, 400, 503)]
            results = [CreateTransferResult.ok] * len(batch)
            args = (state.transfers, state.failed_transfer_ids, state.failed_at, results)
            bits = bytearray(FULL)
            got = fast.apply_plain(batch, 0, 4, START_NS, *args, state.accounts, bits, 63, top)
            assert got == decided, top
        with pytest.raises((ValueError, OverflowError)):
            fast.apply_plain(batch, 0, 4, START_NS, *args, state.accounts, bits, 63, -1)


def test_a_checkpoint_keeps_the_filters_top_and_an_older_one_assumes_the_highest() -> None:
    state = LedgerState()
    assert not any(create_accounts(state, [Account(1, 1, 1), Account(2, 1, 1)], START_NS))
    state.id_filter = IdFilter(64, top=BIG)
    parts = encode(state, MARK)
    again = decode(b"".join(parts), MARK)
    assert again.id_filter is not None and again.id_filter.top == BIG
    # A checkpoint written before the top was kept: no id is ruled out by it.
    older = decode(_without_top(parts), MARK)
    assert older.id_filter is not None and older.id_filter.top == (1 << 128) - 1


MARK = Watermark(seq=7, now_ns=START_NS, body_crc32=12345)


def _without_top(parts: list[bytes]) -> bytes:
    """The checkpoint as the code before ADR 0077 wrote it: no `filter_top` among its small
    structures, every part's length and CRC-32 in the table made again."""
    header, _table, small, *rest = parts
    fields = pickle.loads(small)
    del fields["filter_top"]
    body = [pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL), *rest]
    table = b"".join(checkpoint._PART.pack(len(p), zlib.crc32(p)) for p in body)
    return b"".join([header, table, *body])
