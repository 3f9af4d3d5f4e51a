"""The credit tables on both backends: consents in order, scores newest first with their
reasons read back exactly, outcomes written in batches and read by kind of subject."""

from __future__ import annotations

from colony.credit import (
    ConsentAction,
    ConsentEvent,
    Outcome,
    Reason,
    ScoreRecord,
    Subject,
    open_score_store,
)


def test_the_credit_tables_read_back_what_was_written(store_url: str) -> None:
    store = open_score_store(store_url)
    try:
        given = ConsentEvent("ccn_1", "wal_a", ConsentAction.given, 10, "sc-1")
        withdrawn = ConsentEvent("ccn_2", "wal_a", ConsentAction.withdrawn, 20, "sc-1")
        store.add_consent(withdrawn)
        store.add_consent(given)
        assert store.consents("wal_a") == [given, withdrawn] and store.consents("wal_b") == []

        reasons = (Reason("P07", "buffer_days", 60), Reason("P03", "kyc_tier", 12))
        older = ScoreRecord("csc_1", Subject.person, "wal_a", 11, "sc-1", 601, reasons, "C",
                            12_000, "SGD", "ccn_1", "wallet")  # fmt: skip
        newer = ScoreRecord("csc_2", Subject.person, "wal_a", 12, "sc-1", 950, (), "A",
                            2**62, "JPY", "ccn_1", "wallet")  # fmt: skip
        shop = ScoreRecord("csc_3", Subject.merchant, "mer_a", 13, "sc-1", 350, reasons[:1],
                           "declined", 0, "EUR", None, "operator")  # fmt: skip
        for record in (older, newer, shop):
            store.add_score(record)
        assert store.scores(Subject.person, "wal_a", 50) == [newer, older]
        assert store.scores(Subject.person, "wal_a", 1) == [newer]
        assert store.scores(Subject.merchant, "mer_a", 50) == [shop]
        assert store.scores(Subject.merchant, "wal_a", 50) == []

        outcomes = [
            Outcome(Subject.person, f"wal_{i:04d}", 1_000 + i, 5_000, "SGD", i % 7 == 0,
                    "simulated", i * 100)
            for i in range(2_500)
        ] + [Outcome(Subject.merchant, "mer_a", 5, 50_000, "EUR", True, "loans", None)]  # fmt: skip
        store.add_outcomes(outcomes)
        assert store.outcomes(Subject.person) == outcomes[:-1]
        assert store.outcomes(Subject.merchant) == outcomes[-1:]
    finally:
        store.close()
