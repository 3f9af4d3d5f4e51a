"""Complaints, their events, photos, outcomes, disputes and reviews, on either backend."""

from __future__ import annotations

from colony.disputes.model import FINAL, Attachment, Complaint, Dispute, Event, Review
from colony.disputes.rows import (
    ATTACHMENT_COLUMNS,
    COMPLAINT_COLUMNS,
    DISPUTE_COLUMNS,
    EVENT_COLUMNS,
    REVIEW_COLUMNS,
    attachment_of,
    attachment_row,
    complaint_of,
    complaint_row,
    dispute_of,
    dispute_row,
    event_of,
    event_row,
    review_of,
    review_row,
)
from colony.storage.open import open_tables
from colony.storage.tables import Session, Tables

_FINAL = tuple(s.value for s in FINAL)
_UNDECIDED = "('needs_response', 'under_review')"


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _append(db: Session, event: Event) -> None:
    """The subject's next event; its place is taken inside the caller's transaction."""
    (last,) = db.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM case_events WHERE subject_id = ?", (event.subject_id,)
    ).fetchone()
    row = event_row(event)
    db.execute(
        f"INSERT INTO case_events ({EVENT_COLUMNS}) VALUES ({_marks(9)})",
        (row[0], int(last) + 1, *row[2:]),
    )


class SqlComplaintStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def insert(self, complaint: Complaint, first: Event) -> None:
        with self._tables.transaction() as db:
            db.execute(
                f"INSERT INTO complaints ({COMPLAINT_COLUMNS}) VALUES ({_marks(12)})",
                complaint_row(complaint),
            )
            _append(db, first)

    def change(self, before: Complaint, after: Complaint, event: Event) -> bool:
        with self._tables.transaction() as db:
            changed = db.execute(
                "UPDATE complaints SET status = ?, due_ns = ?, answer_due_ns = ?,"
                " updated_at_ns = ? WHERE id = ? AND status = ? AND updated_at_ns = ?",
                (
                    after.status.value, after.due_ns, after.answer_due_ns, after.updated_at_ns,
                    before.id, before.status.value, before.updated_at_ns,
                ),
            ).rowcount  # fmt: skip
            if changed != 1:
                return False
            _append(db, event)
        return True

    def _complaints(self, where: str, args: tuple[object, ...]) -> list[Complaint]:
        with self._tables.session() as db:
            rows = db.execute(f"SELECT {COMPLAINT_COLUMNS} FROM complaints {where}", args)
            return [complaint_of(r) for r in rows.fetchall()]

    def by_id(self, complaint_id: str) -> Complaint | None:
        found = self._complaints("WHERE id = ?", (complaint_id,))
        return found[0] if found else None

    def of_wallet(self, wallet_id: str, limit: int) -> list[Complaint]:
        return self._complaints(
            "WHERE wallet_id = ? ORDER BY received_at_ns DESC, id DESC LIMIT ?", (wallet_id, limit)
        )

    def of_merchant(self, merchant_id: str, limit: int) -> list[Complaint]:
        return self._complaints(
            "WHERE merchant_id = ? ORDER BY received_at_ns DESC, id DESC LIMIT ?",
            (merchant_id, limit),
        )

    def count_received(
        self,
        merchant_id: str,
        from_ns: int,
        until_ns: int | None = None,
        category: str | None = None,
    ) -> int:
        where, args = ["merchant_id = ?", "received_at_ns >= ?"], [merchant_id, from_ns]
        if until_ns is not None:
            where.append("received_at_ns < ?")
            args.append(until_ns)
        if category is not None:
            where.append("category = ?")
            args.append(category)
        with self._tables.session() as db:
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM complaints WHERE {' AND '.join(where)}", tuple(args)
            ).fetchone()
        return int(count)

    def unresolved(self, limit: int) -> list[Complaint]:
        return self._complaints(
            f"WHERE status NOT IN ({_marks(len(_FINAL))}) ORDER BY due_ns, id LIMIT ?",
            (*_FINAL, limit),
        )

    def overdue_count(self, now_ns: int) -> int:
        with self._tables.session() as db:
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM complaints WHERE status NOT IN ({_marks(len(_FINAL))})"
                " AND due_ns <= ?",
                (*_FINAL, now_ns),
            ).fetchone()
        return int(count)

    def since(self, from_ns: int, limit: int) -> list[Complaint]:
        return self._complaints(
            "WHERE received_at_ns >= ? ORDER BY received_at_ns, id LIMIT ?", (from_ns, limit)
        )

    def events_of(self, subject_id: str) -> list[Event]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {EVENT_COLUMNS} FROM case_events WHERE subject_id = ? ORDER BY seq",
                (subject_id,),
            ).fetchall()
        return [event_of(r) for r in rows]

    def add_attachment(self, attachment: Attachment, data: bytes, most: int) -> bool:
        with self._tables.transaction() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM complaint_attachments WHERE complaint_id = ?",
                (attachment.complaint_id,),
            ).fetchone()
            if int(count) >= most:
                return False
            db.execute(
                f"INSERT INTO complaint_attachments ({ATTACHMENT_COLUMNS}, data)"
                f" VALUES ({_marks(7)})",
                (*attachment_row(attachment), data),
            )
        return True

    def attachments_of(self, complaint_id: str) -> list[Attachment]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {ATTACHMENT_COLUMNS} FROM complaint_attachments"
                " WHERE complaint_id = ? ORDER BY number",
                (complaint_id,),
            ).fetchall()
        return [attachment_of(r) for r in rows]

    def attachment_data(self, complaint_id: str, number: int) -> bytes | None:
        with self._tables.session() as db:
            row = db.execute(
                "SELECT data FROM complaint_attachments WHERE complaint_id = ? AND number = ?",
                (complaint_id, number),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def record_outcome(
        self, transfer_id: int, subject_id: str, kind: str, amount_minor: int, currency: str,
        reason: str, actor_id: str, at_ns: int,
    ) -> tuple[str, int]:  # fmt: skip
        with self._tables.transaction() as db:
            db.execute(
                "INSERT INTO complaint_outcomes (transfer_id, subject_id, kind, amount_minor,"
                " currency, reason, actor_id, at_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (transfer_id) DO NOTHING",
                (str(transfer_id), subject_id, kind, amount_minor, currency, reason, actor_id,
                 at_ns),
            )  # fmt: skip
            subject, amount = db.execute(
                "SELECT subject_id, amount_minor FROM complaint_outcomes WHERE transfer_id = ?",
                (str(transfer_id),),
            ).fetchone()
        return str(subject), int(amount)

    def outcomes_of(self, subject_id: str) -> list[tuple[str, int, int, str, str]]:
        with self._tables.session() as db:
            rows = db.execute(
                "SELECT kind, transfer_id, amount_minor, currency, reason FROM complaint_outcomes"
                " WHERE subject_id = ? ORDER BY at_ns, transfer_id",
                (subject_id,),
            ).fetchall()
        return [(str(k), int(str(t)), int(a), str(c), str(r)) for k, t, a, c, r in rows]

    def insert_dispute(self, dispute: Dispute, first: Event) -> bool:
        with self._tables.transaction() as db:
            inserted = db.execute(
                f"INSERT INTO disputes ({DISPUTE_COLUMNS}) VALUES ({_marks(13)})"
                " ON CONFLICT (payment_id) DO NOTHING",
                dispute_row(dispute),
            ).rowcount
            if inserted != 1:
                return False
            _append(db, first)
        return True

    def change_dispute(self, before: Dispute, after: Dispute, event: Event) -> bool:
        with self._tables.transaction() as db:
            changed = db.execute(
                "UPDATE disputes SET status = ?, evidence = ?, updated_at_ns = ?"
                " WHERE id = ? AND status = ? AND updated_at_ns = ?",
                (after.status.value, after.evidence, after.updated_at_ns, before.id,
                 before.status.value, before.updated_at_ns),
            ).rowcount  # fmt: skip
            if changed != 1:
                return False
            _append(db, event)
        return True

    def _disputes(self, where: str, args: tuple[object, ...]) -> list[Dispute]:
        with self._tables.session() as db:
            rows = db.execute(f"SELECT {DISPUTE_COLUMNS} FROM disputes {where}", args)
            return [dispute_of(r) for r in rows.fetchall()]

    def dispute(self, dispute_id: str) -> Dispute | None:
        found = self._disputes("WHERE id = ?", (dispute_id,))
        return found[0] if found else None

    def disputes_of_merchant(self, merchant_id: str, limit: int) -> list[Dispute]:
        return self._disputes(
            "WHERE merchant_id = ? ORDER BY opened_at_ns DESC, id DESC LIMIT ?",
            (merchant_id, limit),
        )

    def open_disputes(self, limit: int) -> list[Dispute]:
        return self._disputes(
            f"WHERE status IN {_UNDECIDED} ORDER BY respond_by_ns, id LIMIT ?", (limit,)
        )

    def add_review(self, review: Review) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO merchant_reviews ({REVIEW_COLUMNS}) VALUES ({_marks(7)})",
                review_row(review),
            )

    def _reviews(self, where: str, args: tuple[object, ...]) -> list[Review]:
        with self._tables.session() as db:
            rows = db.execute(f"SELECT {REVIEW_COLUMNS} FROM merchant_reviews {where}", args)
            return [review_of(r) for r in rows.fetchall()]

    def reviews(self, limit: int) -> list[Review]:
        return self._reviews("ORDER BY at_ns DESC, id DESC LIMIT ?", (limit,))

    def last_review(self, merchant_id: str, category: str) -> Review | None:
        found = self._reviews(
            "WHERE merchant_id = ? AND category = ? ORDER BY at_ns DESC, id DESC LIMIT 1",
            (merchant_id, category),
        )
        return found[0] if found else None

    def close(self) -> None:
        self._tables.close()


def open_complaint_store(url: str) -> SqlComplaintStore:
    """Complaints and disputes behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlComplaintStore(open_tables(url, "colony-disputes"))
