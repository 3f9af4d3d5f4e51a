"""Reads TigerBeetle's test tables (tigerbeetle_tables.py) and runs them against Colony.

The format is TigerBeetle's (`src/testing/table.zig`): one action per line, whitespace-separated
columns in the order of a schema, `_` for a column's default, a leading letter as a label, and
`-N` for the column's maximum less N. This module holds the schemas, the parser and a runner
that applies the tables to Colony's state machine with TigerBeetle's clock: every commit takes
the next timestamps, `tick` moves the clock and lets pending transfers expire, as a pulse.

What Colony has no counterpart for is counted, never silently dropped: `Outcome.unmapped`
names every row the runner could not check, with the reason (see `UNMAPPED_REASONS`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from colony.ledger import history, invariants
from colony.ledger.accounts import create_accounts
from colony.ledger.model import Account, AccountFlags, StatementLine, Transfer, TransferFlags
from colony.ledger.state import NS_PER_S, TIMESTAMP_MAX, LedgerState, expire_pending
from colony.ledger.transfers import create_transfers

AF, TF = AccountFlags, TransferFlags

# Column schemas: (name, bits or kind, has a default). Kinds: "flag:TOKEN", "status", "opt".
ACCOUNT_COLUMNS: list[tuple[str, Any, bool]] = [
    ("id", 128, False),
    ("debits_pending", 128, True),
    ("debits_posted", 128, True),
    ("credits_pending", 128, True),
    ("credits_posted", 128, True),
    ("user_data_128", 128, True),
    ("user_data_64", 64, True),
    ("user_data_32", 32, True),
    ("reserved", 1, True),
    ("ledger", 32, False),
    ("code", 16, False),
    ("linked", "flag:LNK", True),
    ("debits_must_not_exceed_credits", "flag:D<C", True),
    ("credits_must_not_exceed_debits", "flag:C<D", True),
    ("history", "flag:HIST", True),
    ("imported", "flag:IMP", True),
    ("closed", "flag:CLSD", True),
    ("padding", 10, True),
    ("timestamp", 64, True),
    ("status", "status", False),
]
TRANSFER_COLUMNS: list[tuple[str, Any, bool]] = [
    ("id", 128, False),
    ("debit_account_id", 128, False),
    ("credit_account_id", 128, False),
    ("amount", 128, True),
    ("pending_id", 128, True),
    ("user_data_128", 128, True),
    ("user_data_64", 64, True),
    ("user_data_32", 32, True),
    ("timeout", 32, True),
    ("ledger", 32, False),
    ("code", 16, False),
    ("linked", "flag:LNK", True),
    ("pending", "flag:PEN", True),
    ("post_pending_transfer", "flag:POS", True),
    ("void_pending_transfer", "flag:VOI", True),
    ("balancing_debit", "flag:BDR", True),
    ("balancing_credit", "flag:BCR", True),
    ("imported", "flag:IMP", True),
    ("closing_debit", "flag:CDR", True),
    ("closing_credit", "flag:CCR", True),
    ("padding", 5, True),
    ("timestamp", 64, True),
    ("status", "status", False),
]
FILTER_COLUMNS: list[tuple[str, Any, bool]] = [
    ("account_id", 128, False),
    ("user_data_128", 128, True),
    ("user_data_64", 64, True),
    ("user_data_32", 32, True),
    ("code", 16, True),
    ("timestamp_min_transfer_id", 128, True),
    ("timestamp_max_transfer_id", 128, True),
    ("limit", 32, False),
    ("debits", "flag:DR", True),
    ("credits", "flag:CR", True),
    ("reversed", "flag:REV", True),
]
# The first padding bit of each record's flags.
ACCOUNT_PADDING_SHIFT = 6
TRANSFER_PADDING_SHIFT = 9

UNMAPPED_REASONS = {
    "query_accounts": "Colony has no query over accounts by user data, ledger and code",
    "query_transfers": "Colony has no query over transfers by user data, ledger and code",
    "get_change_events": "Colony has no change-event feed (its journal plays that part)",
    "filter": "Colony's statement filters by time only: not by user data, code or side",
    "bounds": "Colony's statement takes a lower time bound forward, an upper one going back",
    "expiry": "Colony's statement lists expiries beside transfers",
    "limit 0": "Colony refuses a statement limit of 0 as bad input instead of answering empty",
    "history flag": "Colony keeps every account's history, not only with the `history` flag",
}


@dataclass
class Row:
    action: str
    values: dict[str, Any]
    line: str


def _int(token: str, bits: int) -> int:
    text = token[1:] if token[0].isalpha() else token
    maximum = (1 << bits) - 1
    if text.startswith("-"):
        return maximum - int(text[1:])
    return int(text)


def _columns(tokens: list[str], schema: list[tuple[str, Any, bool]], line: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    it = iter(tokens)
    for name, kind, has_default in schema:
        token = next(it)
        if has_default and token == "_":
            values[name] = None if kind == "status" else 0
        elif isinstance(kind, str) and kind.startswith("flag:"):
            if token != kind[5:]:
                raise ValueError(f"{line!r}: column {name} expects {kind[5:]} or _, not {token}")
            values[name] = 1
        elif kind == "status":
            values[name] = token
        else:
            values[name] = _int(token, kind)
    rest = list(it)
    if rest and rest[0] != "//":
        raise ValueError(f"{line!r}: extra columns {rest}")
    return values


def parse(table: str) -> list[Row]:
    rows: list[Row] = []
    for raw in table.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = line.split()
        action, args = tokens[0], tokens[1:]
        if action == "account":
            rows.append(Row(action, _columns(args, ACCOUNT_COLUMNS, line), line))
        elif action == "transfer":
            rows.append(Row(action, _columns(args, TRANSFER_COLUMNS, line), line))
        elif action == "setup":
            names = ("account", "debits_pending", "debits_posted", "credits_pending")
            values = {n: _int(t, 128) for n, t in zip(names, args, strict=False)}
            values["credits_posted"] = _int(args[4], 128)
            rows.append(Row(action, values, line))
        elif action == "tick":
            rows.append(Row(action, {"value": int(args[0]), "unit": args[1]}, line))
        elif action == "commit":
            rows.append(Row(action, {"operation": args[0]}, line))
        elif action == "lookup_account":
            values = {"id": _int(args[0], 128), "data": None}
            if args[1] != "_":
                balances = [_int(t, 128) for t in args[1:5]]
                values["data"] = (*balances, args[5] == "CLSD")
            rows.append(Row(action, values, line))
        elif action == "lookup_transfer":
            kind = args[1]
            value: Any = args[2] == "true" if kind == "exists" else _int(args[2], 128)
            rows.append(Row(action, {"id": _int(args[0], 128), kind: value}, line))
        elif action in ("get_account_transfers", "get_account_balances"):
            rows.append(Row(action, _columns(args, FILTER_COLUMNS, line), line))
        elif action == "get_account_balances_result":
            names = ("transfer_id", "debits_pending", "debits_posted", "credits_pending")
            values = {n: _int(t, 128) for n, t in zip(names, args, strict=False)}
            values["credits_posted"] = _int(args[4], 128)
            rows.append(Row(action, values, line))
        elif action == "get_account_transfers_result":
            rows.append(Row(action, {"id": _int(args[0], 128)}, line))
        else:  # query_accounts, query_transfers, get_change_events and their results
            rows.append(Row(action, {}, line))
    return rows


def account_of(v: dict[str, Any]) -> Account:
    flags = v["padding"] << ACCOUNT_PADDING_SHIFT
    for name in ("linked", "debits_must_not_exceed_credits", "credits_must_not_exceed_debits"):
        flags |= int(AF[name]) * v[name]
    for name in ("history", "imported", "closed"):
        flags |= int(AF[name]) * v[name]
    return Account(
        v["id"],
        v["ledger"],
        v["code"],
        flags,
        v["debits_pending"],
        v["debits_posted"],
        v["credits_pending"],
        v["credits_posted"],
        v["user_data_128"],
        v["user_data_64"],
        v["user_data_32"],
        v["reserved"],
        v["timestamp"],
    )


_TRANSFER_FLAG_NAMES = (
    "linked",
    "pending",
    "post_pending_transfer",
    "void_pending_transfer",
    "balancing_debit",
    "balancing_credit",
    "imported",
    "closing_debit",
    "closing_credit",
)


def transfer_of(v: dict[str, Any]) -> Transfer:
    flags = v["padding"] << TRANSFER_PADDING_SHIFT
    for name in _TRANSFER_FLAG_NAMES:
        flags |= int(TF[name]) * v[name]
    return Transfer(
        v["id"],
        v["debit_account_id"],
        v["credit_account_id"],
        v["amount"],
        v["ledger"],
        v["code"],
        flags,
        v["pending_id"],
        v["timeout"],
        v["user_data_128"],
        v["user_data_64"],
        v["user_data_32"],
        v["timestamp"],
    )


def result_name(status: str) -> str:
    return "ok" if status == "created" else status


@dataclass
class Outcome:
    events: int = 0
    lookups: int = 0
    queries: int = 0
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@contextlib.contextmanager
def expensive_checks(on: bool) -> Iterator[None]:
    before = invariants.verify
    invariants.verify = on
    try:
        yield
    finally:
        invariants.verify = before


def has_setup(rows: list[Row]) -> bool:
    return any(r.action == "setup" for r in rows)


class StateMachineRun:
    """One table applied to a fresh `LedgerState`, with TigerBeetle's clock."""

    def __init__(self) -> None:
        self.state = LedgerState()
        self.prepare_ns = 0
        self.outcome = Outcome()
        # What the table says exists: id -> the record as TigerBeetle's test expects it.
        self.accounts: dict[int, Account] = {}
        self.transfers: dict[int, Transfer] = {}

    def run(self, rows: list[Row]) -> Outcome:
        # `setup` writes balances behind the state machine's back, so that double entry no
        # longer holds: the whole-state checks stay off for such a table (as TigerBeetle's
        # test skips its own checks there); the cheap ones still run.
        with expensive_checks(invariants.verify and not has_setup(rows)):
            batch: list[Row] = []
            query: list[Row] = []
            for row in rows:
                if row.action == "setup":
                    self._setup(row.values)
                elif row.action == "tick":
                    self._tick(row.values)
                elif row.action == "commit":
                    self._commit(row.values["operation"], batch, query)
                    batch, query = [], []
                elif row.action in ("account", "transfer"):
                    batch.append(row)
                else:
                    query.append(row)
        return self.outcome

    def _fail(self, message: str) -> None:
        self.outcome.failures.append(message)

    def _setup(self, v: dict[str, int]) -> None:
        a = self.state.accounts[v["account"]]
        for name in ("debits_pending", "debits_posted", "credits_pending", "credits_posted"):
            setattr(a, name, v[name])

    def _tick(self, v: dict[str, Any]) -> None:
        ns = abs(v["value"]) * (NS_PER_S if v["unit"] == "seconds" else 1)
        self.prepare_ns = self.prepare_ns + ns if v["value"] > 0 else TIMESTAMP_MAX - ns
        self.prepare_ns += 1  # the pulse the tick lets run
        expire_pending(self.state, self.state.batch_base_timestamp(self.prepare_ns))
        invariants.check_batch(self.state, 0, 0)
        self.prepare_ns = max(self.prepare_ns, self.state.last_timestamp)

    def _commit(self, operation: str, batch: list[Row], query: list[Row]) -> None:
        if operation == "create_accounts":
            self._create(batch, account_of, create_accounts, self._expect_account)
        elif operation == "create_transfers":
            self._create(batch, transfer_of, create_transfers, self._expect_transfer)
        elif operation == "lookup_accounts":
            for row in query:
                self._lookup_account(row)
        elif operation == "lookup_transfers":
            for row in query:
                self._lookup_transfer(row)
        elif operation in ("get_account_transfers", "get_account_balances"):
            self._statement(operation, query)
        else:
            self.outcome.unmapped += [(r.line, UNMAPPED_REASONS[operation]) for r in query]

    def _create(self, batch: list[Row], make: Any, apply: Any, expect: Any) -> None:
        events = [make(r.values) for r in batch]
        self.prepare_ns += 1
        now = self.prepare_ns + 1
        results = apply(self.state, [replace(e) for e in events], now)
        self.prepare_ns = max(self.prepare_ns + len(events), self.state.last_timestamp)
        for i, (row, result) in enumerate(zip(batch, results, strict=True)):
            self.outcome.events += 1
            want = result_name(row.values["status"])
            if result.name != want:
                self._fail(f"{row.line}\n    gave {result.name}")
            elif want == "ok":
                expect(events[i], now + i)

    def _expect_account(self, a: Account, timestamp: int) -> None:
        self.accounts[a.id] = replace(a, timestamp=a.timestamp or timestamp)

    def _expect_transfer(self, t: Transfer, timestamp: int) -> None:
        t = replace(t, timestamp=t.timestamp or timestamp)
        if t.pending_id:
            # TigerBeetle's test fills what a post or void left out from the pending transfer.
            p = self.transfers[t.pending_id]
            for name in ("debit_account_id", "credit_account_id", "ledger", "code"):
                if not getattr(t, name):
                    setattr(t, name, getattr(p, name))
            for name in ("user_data_128", "user_data_64", "user_data_32"):
                if not getattr(t, name):
                    setattr(t, name, getattr(p, name))
            if t.flags & TF.void_pending_transfer and t.amount == 0:
                t.amount = p.amount
        self.transfers[t.id] = t

    def _lookup_account(self, row: Row) -> None:
        self.outcome.lookups += 1
        v = row.values
        actual = self.state.accounts.get(v["id"])
        if v["data"] is None:
            if actual is not None:
                self._fail(f"{row.line}\n    account exists")
            return
        if actual is None:
            self._fail(f"{row.line}\n    account missing")
            return
        dp, dpo, cp, cpo, closed = v["data"]
        want = replace(self.accounts[v["id"]], debits_pending=dp, debits_posted=dpo)
        want = replace(want, credits_pending=cp, credits_posted=cpo)
        want.flags = (want.flags & ~int(AF.closed)) | (int(AF.closed) if closed else 0)
        got = Account(**{f.name: getattr(actual, f.name) for f in dataclasses.fields(Account)})
        if got != want:
            self._fail(f"{row.line}\n    gave {got}\n    want {want}")

    def _lookup_transfer(self, row: Row) -> None:
        self.outcome.lookups += 1
        v = row.values
        actual = self.state.transfers.get(v["id"])
        if v.get("exists") is False:
            if actual is not None:
                self._fail(f"{row.line}\n    transfer exists")
            return
        want = self.transfers.get(v["id"])
        if want is None:
            self._fail(f"{row.line}\n    the table expects it, but it was never created")
            return
        if "amount" in v:
            want = replace(want, amount=v["amount"])
        if "timestamp" in v:
            want = replace(want, timestamp=v["timestamp"])
        if actual != want:
            self._fail(f"{row.line}\n    gave {actual}\n    want {want}")

    def _statement(self, operation: str, query: list[Row]) -> None:
        """A TigerBeetle account query as a page of Colony's statement (one account's changes
        in time order, each with the balances after it), for the filters the statement has."""
        stamps = {t.id: t.timestamp for t in self.transfers.values()}

        def page(account_id: int, **bounds: Any) -> list[StatementLine]:
            account = self.state.accounts.get(account_id)
            if account is None:
                return []
            return history.statement_page(account, self.state.transfers, **bounds)[0]

        check_statement_query(operation, query, self.state.accounts, stamps, page, self.outcome)


StatementReader = Callable[..., list[StatementLine]]


def check_statement_query(
    operation: str,
    query: list[Row],
    accounts: Mapping[int, Account],
    stamps: dict[int, int],
    page: StatementReader,
    outcome: Outcome,
) -> None:
    """Check one `get_account_transfers` / `get_account_balances` query (its filter row, then
    its result rows) against a statement page read by `page(account_id, **bounds)`."""
    head, results = query[0], query[1:]
    f = head.values
    bounds = statement_bounds(f, stamps)
    account = accounts.get(f["account_id"])
    if isinstance(bounds, str):
        reason = bounds
    elif operation == "get_account_balances" and (
        account is None or not account.flags & AF.history
    ):
        reason = "history flag"
    else:
        reason = None
    if reason is not None:
        outcome.unmapped += [(r.line, UNMAPPED_REASONS[reason]) for r in query]
        return
    assert not isinstance(bounds, str)
    lines = page(f["account_id"], **bounds)
    if any(line.kind == "expiry" for line in lines):
        outcome.unmapped += [(r.line, UNMAPPED_REASONS["expiry"]) for r in query]
        return
    outcome.queries += 1
    got = [line.transfer.id for line in lines]
    if operation == "get_account_transfers":
        want = [r.values["id"] for r in results]
    else:
        want = [r.values["transfer_id"] for r in results]
        names = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
        expected = [tuple(r.values[n] for n in names) for r in results]
        balances = [tuple(getattr(line.balance, n) for n in names) for line in lines]
        if balances != expected:
            outcome.failures.append(f"{head.line}\n    balances {balances}\n    want {expected}")
    if got != want:
        outcome.failures.append(f"{head.line}\n    gave {got}\n    want {want}")


def statement_bounds(f: dict[str, Any], stamps: dict[int, int]) -> dict[str, Any] | str:
    """Colony's statement arguments for a TigerBeetle account filter, or why there are none.

    TigerBeetle's time bounds are inclusive; the statement's are exclusive, and it takes a lower
    bound going forward, an upper one going back."""
    if f["user_data_128"] or f["user_data_64"] or f["user_data_32"] or f["code"]:
        return "filter"
    if not (f["debits"] and f["credits"]):
        return "filter"
    if f["limit"] == 0:
        return "limit 0"
    low, high = f["timestamp_min_transfer_id"], f["timestamp_max_transfer_id"]
    if (f["reversed"] and low) or (not f["reversed"] and high):
        return "bounds"
    return {
        "after_timestamp": stamps[low] - 1 if low else 0,
        "before_timestamp": stamps[high] + 1 if high else None,
        "limit": f["limit"],
        "reverse": bool(f["reversed"]),
    }


def statement_queries(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """The table's `get_account_transfers` / `get_account_balances` queries, each with its
    result rows."""
    out: list[tuple[str, list[Row]]] = []
    query: list[Row] = []
    for row in rows:
        if row.action == "commit":
            if row.values["operation"] in ("get_account_transfers", "get_account_balances"):
                out.append((row.values["operation"], query))
            query = []
        elif row.action.startswith("get_account_"):
            query.append(row)
    return out


def importable(rows: list[Row]) -> bool:
    """Whether a table can go through `colony ledger import`: a file cannot write balances
    (`setup`), move the clock between batches (`tick`, except before the first event) or
    carry an unknown flag (`padding`)."""
    started = False
    for row in rows:
        if row.action == "setup" or (row.action == "tick" and started):
            return False
        if row.action in ("account", "transfer"):
            started = True
            if row.values["padding"]:
                return False
    return True


def start_ns(rows: list[Row]) -> int:
    """TigerBeetle's clock before the first commit: the leading ticks, from zero."""
    ns = 0
    for row in rows:
        if row.action != "tick":
            break
        ns += row.values["value"] * (NS_PER_S if row.values["unit"] == "seconds" else 1)
    return ns


def jsonl(rows: list[Row]) -> tuple[list[str], list[str]]:
    """The table's events as `colony ledger import` lines, a batch_end at every commit of
    events, and the result expected for each event."""
    from colony.ledger.jsonl import BATCH_END_JSON, account_to_json, transfer_to_json

    lines: list[str] = []
    expected: list[str] = []
    pending_events = False
    for row in rows:
        if row.action == "account":
            lines.append(json.dumps(account_to_json(account_of(row.values))))
        elif row.action == "transfer":
            lines.append(json.dumps(transfer_to_json(transfer_of(row.values))))
        elif row.action == "commit" and pending_events:
            lines.append(json.dumps(BATCH_END_JSON))
        else:
            continue
        if row.action in ("account", "transfer"):
            expected.append(result_name(row.values["status"]))
            pending_events = True
        else:
            pending_events = False
    return lines, expected
