"""Consents, scores and outcomes, on either backend (storage/tables.py)."""

from __future__ import annotations

from collections.abc import Sequence

from colony.credit.score_records import ConsentEvent, Outcome, ScoreRecord
from colony.credit.score_rows import (
    CONSENT_COLUMNS,
    OUTCOME_COLUMNS,
    SCORE_COLUMNS,
    consent_of,
    consent_row,
    outcome_of,
    outcome_row,
    score_of,
    score_row,
)
from colony.credit.scorecard import Subject
from colony.storage.open import open_tables
from colony.storage.tables import Tables

# Outcomes written in one statement at a time.
outcome_rows_per_batch = 1_000


class SqlScoreStore:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add_consent(self, event: ConsentEvent) -> None:
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO credit_consents ({CONSENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                consent_row(event),
            )

    def consents(self, wallet_id: str) -> list[ConsentEvent]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {CONSENT_COLUMNS} FROM credit_consents WHERE wallet_id = ? "
                "ORDER BY at_ns, id",
                (wallet_id,),
            ).fetchall()
        return [consent_of(row) for row in rows]

    def add_score(self, record: ScoreRecord) -> None:
        marks = ", ".join("?" * len(SCORE_COLUMNS.split(",")))
        with self._tables.write() as db:
            db.execute(
                f"INSERT INTO credit_scores ({SCORE_COLUMNS}) VALUES ({marks})", score_row(record)
            )

    def scores(self, subject: Subject, subject_id: str, limit: int) -> list[ScoreRecord]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {SCORE_COLUMNS} FROM credit_scores WHERE subject_kind = ? AND "
                "subject_id = ? ORDER BY scored_at_ns DESC, id DESC LIMIT ?",
                (str(subject), subject_id, limit),
            ).fetchall()
        return [score_of(row) for row in rows]

    def add_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        marks = ", ".join("?" * len(OUTCOME_COLUMNS.split(",")))
        with self._tables.transaction() as db:
            for start in range(0, len(outcomes), outcome_rows_per_batch):
                db.executemany(
                    f"INSERT INTO credit_outcomes ({OUTCOME_COLUMNS}) VALUES ({marks})",
                    [outcome_row(o) for o in outcomes[start : start + outcome_rows_per_batch]],
                )

    def outcomes(self, subject: Subject) -> list[Outcome]:
        with self._tables.session() as db:
            rows = db.execute(
                f"SELECT {OUTCOME_COLUMNS} FROM credit_outcomes WHERE subject_kind = ? "
                "ORDER BY decided_at_ns, subject_id",
                (str(subject),),
            ).fetchall()
        return [outcome_of(row) for row in rows]

    def close(self) -> None:
        self._tables.close()


def open_score_store(url: str, *, synchronous: str = "FULL") -> SqlScoreStore:
    """Credit scoring's tables behind a `sqlite:///PATH` or `postgresql://` URL."""
    return SqlScoreStore(open_tables(url, "colony-credit", synchronous=synchronous))
