"""What credit scoring keeps outside the ledger (the SQL store implements it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from colony.credit.score_records import ConsentEvent, Outcome, ScoreRecord
from colony.credit.scorecard import Subject


class ScoreStore(Protocol):
    def add_consent(self, event: ConsentEvent) -> None: ...

    def consents(self, wallet_id: str) -> list[ConsentEvent]:
        """Every consent event of the wallet, oldest first."""
        ...

    def add_score(self, record: ScoreRecord) -> None: ...

    def scores(self, subject: Subject, subject_id: str, limit: int) -> list[ScoreRecord]:
        """The subject's newest scores, newest first, at most `limit`."""
        ...

    def add_outcomes(self, outcomes: Sequence[Outcome]) -> None: ...

    def outcomes(self, subject: Subject) -> list[Outcome]:
        """Every outcome of the kind of subject, for training (never read when scoring)."""
        ...

    def close(self) -> None: ...
