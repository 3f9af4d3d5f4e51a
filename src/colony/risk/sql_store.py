"""Assessments on either backend (storage/tables.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future

from colony.kernel import lock_order
from colony.kernel.errors import UnstorableInput
from colony.risk.model import Assessment, Channel, Decision, Place, Reason, RiskEvent
from colony.risk.rules import Mode, Rule
from colony.risk.store import KeptAssessment, RuleChange, recent_page_max
from colony.storage.group_commit import GroupCommit
from colony.storage.open import open_tables
from colony.storage.tables import Session, Tables

_log = logging.getLogger(__name__)

_COLUMNS = (
    "payment_id, channel, wallet_id, payee, amount_minor, currency, decision, reasons,"
    " shadow_reasons, score, rules_version, fallback, assessed_at_ns, review_outcome,"
    " reviewed_by, reviewed_at_ns, device, place_lat_micro, place_lon_micro, utc_offset_min"
)


# Each reason's name, looked up rather than read through the enum's descriptor: every
# assessment kept names its reasons (most name a few shadow ones).
_NAME_OF = {r: r.name for r in Reason}


def _names(reasons: tuple[Reason, ...]) -> str:
    return " ".join([_NAME_OF[r] for r in reasons])


def _reasons(text: str) -> tuple[Reason, ...]:
    return tuple(Reason[name] for name in text.split())


def _kept(row: Sequence[object]) -> KeptAssessment:
    (pid, channel, wallet, payee, amount, currency, decision, reasons, shadow, score,
     version, fallback, at_ns, outcome, by, reviewed_at,
     device, lat, lon, offset) = row  # fmt: skip
    place = None if lat is None or lon is None else Place(int(str(lat)), int(str(lon)))
    event = RiskEvent(
        Channel(str(channel)), str(wallet), str(payee), int(str(amount)), str(currency),
        int(str(at_ns)), None if device is None else str(device), place,
        None if offset is None else int(str(offset)),
    )  # fmt: skip
    assessment = Assessment(
        Decision(int(str(decision))), _reasons(str(reasons)), _reasons(str(shadow)),
        int(str(score)), int(str(version)), bool(fallback),
    )  # fmt: skip
    return KeptAssessment(
        int(str(pid)), event, assessment,
        None if outcome is None else str(outcome), None if by is None else str(by),
        None if reviewed_at is None else int(str(reviewed_at)),
    )  # fmt: skip


def _row(payment_id: int, event: RiskEvent, assessment: Assessment) -> tuple[object, ...]:
    a = assessment
    return (
        str(payment_id), event.channel.value, event.wallet_id, event.payee,
        event.amount_minor, event.currency, int(a.decision), _names(a.reasons),
        _names(a.shadow_reasons), a.score, a.rules_version, int(a.fallback), event.at_ns,
        event.device, None if event.place is None else event.place.lat_micro,
        None if event.place is None else event.place.lon_micro, event.utc_offset_min,
    )  # fmt: skip


# Assessments that changed nothing (an allow, shadow rules named) are written behind the
# payment, together, at most this often, in seconds ...
behind_every_s = 0.2
# ... or as soon as this many wait; a failed write keeps at most this many for the next.
behind_rows_max = 5_000

_INSERT = (
    "INSERT INTO risk_assessments (payment_id, channel, wallet_id, payee,"
    " amount_minor, currency, decision, reasons, shadow_reasons, score,"
    " rules_version, fallback, assessed_at_ns, device, place_lat_micro,"
    " place_lon_micro, utc_offset_min)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (payment_id) DO NOTHING"
)


def _insert(db: Session, rows: Sequence[tuple[object, ...]]) -> list[None]:
    """Each assessment, unless one is kept for its payment already (a retry): in one
    `executemany`, so the committing thread takes the interpreter lock back once."""
    db.executemany(_INSERT, rows)
    return [None] * len(rows)


class SqlAssessmentStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        # Payments assessed at the same moment keep their assessments in one commit, each
        # durable before its payment goes on, and a payment on the event loop waits for it
        # there instead of on a thread of the pool (storage/group_commit.py).
        self._write = tables.in_transaction(_insert)
        self._keeps = GroupCommit(self._write)
        # Assessments that changed nothing, written behind (docs/adr/0070): the rows waiting
        # (under `_behind_lock`), and one write of them at a time (`_flushing`), which a
        # reader waits for, so it never reads past rows taken off the list but not yet
        # written.
        self._behind: list[tuple[object, ...]] = []
        self._behind_lock = lock_order.lock("risk write-behind queue")
        self._flushing = lock_order.lock("risk write-behind flush")
        self._behind_due = threading.Event()
        self._failing = False  # the last write failed: retried at the tick, logged once
        self._closed = False
        self._writer: threading.Thread | None = None

    def keep(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        self._keeps.submit(_row(payment_id, event, assessment))

    def keep_later(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> Future[None]:
        return self._keeps.submit_later(_row(payment_id, event, assessment))

    def keep_behind(self, payment_id: int, event: RiskEvent, assessment: Assessment) -> None:
        with self._behind_lock:
            if self._closed:
                _log.warning("risk assessment %s not kept: the store is closed", payment_id)
                return
            self._behind.append(_row(payment_id, event, assessment))
            # A failing database is retried at the tick, not once a payment.
            due = len(self._behind) >= behind_rows_max and not self._failing
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_behind, name="risk-write-behind", daemon=True
                )
                self._writer.start()
        if due:
            self._behind_due.set()

    def _write_behind(self) -> None:
        while True:
            self._behind_due.wait(behind_every_s)
            self._behind_due.clear()
            if self._closed:
                return  # `close` writes what is left
            self.flush()

    def flush(self) -> None:
        """Write what is kept behind now. A row the database cannot hold is dropped alone
        and logged; rows a failing database did not take wait for the next write (at most
        `behind_rows_max` of them: past that the oldest are dropped)."""
        with self._flushing:
            with self._behind_lock:
                rows, self._behind = self._behind, []
            if not rows:
                return
            try:
                self._write(rows)
            except UnstorableInput:
                left = []
                for row in rows:  # the bad row alone, never its neighbours
                    try:
                        self._write([row])
                    except UnstorableInput:
                        _log.exception("a risk assessment could not be kept: %s", row[0])
                    except Exception:
                        left.append(row)
                self._wait_again(left)
            except Exception:
                if not self._failing:
                    _log.exception("risk assessments not written yet; trying again")
                self._wait_again(rows)
            else:
                self._failing = False

    def _wait_again(self, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        with self._behind_lock:
            self._failing = True
            self._behind[:0] = rows
            del self._behind[: max(0, len(self._behind) - behind_rows_max)]

    def by_payment(self, payment_id: int) -> KeptAssessment | None:
        self.flush()  # what this process kept behind, read back as kept
        with self._tables.session() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM risk_assessments WHERE payment_id = ?",
                (str(payment_id),),
            ).fetchone()
        return None if row is None else _kept(row)

    def recent(self, limit: int = recent_page_max) -> list[KeptAssessment]:
        return self.newest(min(limit, recent_page_max))

    def newest(self, limit: int) -> list[KeptAssessment]:
        self.flush()  # what this process kept behind, read back as kept
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM risk_assessments"
                " ORDER BY assessed_at_ns DESC, payment_id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_kept(row) for row in rows]

    def held(self, since_ns: int, limit: int = recent_page_max) -> list[KeptAssessment]:
        self.flush()  # what this process kept behind, read back as kept
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM risk_assessments"
                " WHERE assessed_at_ns > ? AND decision = ? AND review_outcome IS NULL"
                " ORDER BY assessed_at_ns DESC, payment_id DESC LIMIT ?",
                (since_ns, int(Decision.review), min(limit, recent_page_max)),
            ).fetchall()
        return [_kept(row) for row in rows]

    def decide(self, payment_id: int, outcome: str, by: str, at_ns: int) -> bool:
        self.flush()  # what this process kept behind, read back as kept
        with self._tables.write() as db:
            done = db.execute(
                "UPDATE risk_assessments SET review_outcome = ?, reviewed_by = ?,"
                " reviewed_at_ns = ? WHERE payment_id = ? AND review_outcome IS NULL"
                " AND decision = ?",
                (outcome, by, at_ns, str(payment_id), int(Decision.review)),
            )
            return bool(done.rowcount == 1)

    def add_rule_change(self, change: RuleChange) -> bool:
        r = change.rule
        with self._tables.write() as db:
            done = db.execute(
                "INSERT INTO risk_rule_changes (version, reason, decision, threshold, weight,"
                " mode, changed_by, note, changed_at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (version) DO NOTHING",
                (change.version, r.reason.name, int(r.decision), r.threshold, r.weight,
                 r.mode.value, change.changed_by, change.note, change.changed_at_ns),
            )  # fmt: skip
            return bool(done.rowcount == 1)

    def newest_rule_version(self) -> int:
        with self._tables.session() as db:
            (version,) = db.execute("SELECT MAX(version) FROM risk_rule_changes").fetchone()
        return 0 if version is None else int(version)

    def rule_changes(self) -> list[RuleChange]:
        with self._tables.session() as db:
            rows = db.execute(
                "SELECT version, reason, decision, threshold, weight, mode, changed_by, note,"
                " changed_at_ns FROM risk_rule_changes ORDER BY version"
            ).fetchall()
        return [
            RuleChange(
                int(str(v)),
                Rule(
                    Reason[str(reason)],
                    Decision(int(str(d))),
                    int(str(t)),
                    int(str(w)),
                    Mode(str(mode)),
                ),
                str(by),
                str(note),
                int(str(at)),
            )
            for v, reason, d, t, w, mode, by, note, at in rows
        ]

    def close(self) -> None:
        with self._behind_lock:
            self._closed = True  # nothing more is queued from here on
        self._behind_due.set()
        if self._writer is not None:
            self._writer.join()  # after the write it may be making
        self.flush()
        self._tables.close()


def open_assessment_store(url: str) -> SqlAssessmentStore:
    """Assessments behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlAssessmentStore(open_tables(url, "colony-risk"))
