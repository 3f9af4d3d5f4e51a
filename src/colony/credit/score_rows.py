"""How consents, scores and outcomes map to table rows, the same on every backend."""

from __future__ import annotations

from colony.credit.score_records import ConsentAction, ConsentEvent, Outcome, ScoreRecord
from colony.credit.scorecard import Reason, Subject

CONSENT_COLUMNS = "id, wallet_id, action, at_ns, model_version"
SCORE_COLUMNS = (
    "id, subject_kind, subject_id, scored_at_ns, model_version, score, reasons, band, "
    "limit_minor, currency, consent_id, asked_by"
)
OUTCOME_COLUMNS = (
    "subject_kind, subject_id, decided_at_ns, principal_minor, currency, defaulted, source, "
    "true_pd_ppm, prior_repaid, prior_overdue"
)


def consent_row(e: ConsentEvent) -> tuple[object, ...]:
    return (e.id, e.wallet_id, str(e.action), e.at_ns, e.model_version)


def consent_of(row: tuple[object, ...]) -> ConsentEvent:
    cid, wallet_id, action, at_ns, version = row
    return ConsentEvent(
        str(cid), str(wallet_id), ConsentAction(str(action)), int(str(at_ns)), str(version)
    )


def _reasons_text(reasons: tuple[Reason, ...]) -> str:
    return ",".join(f"{r.code}:{r.characteristic}:{r.points_lost}" for r in reasons)


def _reasons_of(text: str) -> tuple[Reason, ...]:
    found = []
    for item in filter(None, text.split(",")):
        code, characteristic, lost = item.split(":")
        found.append(Reason(code, characteristic, int(lost)))
    return tuple(found)


def score_row(r: ScoreRecord) -> tuple[object, ...]:
    return (
        r.id, str(r.subject), r.subject_id, r.scored_at_ns, r.model_version, r.score,
        _reasons_text(r.reasons), r.band, r.limit_minor, r.currency, r.consent_id, r.asked_by,
    )  # fmt: skip


def score_of(row: tuple[object, ...]) -> ScoreRecord:
    sid, kind, subject_id, at_ns, version, score, reasons, band, limit, currency, consent, by = row
    return ScoreRecord(
        str(sid), Subject(str(kind)), str(subject_id), int(str(at_ns)), str(version),
        int(str(score)), _reasons_of(str(reasons)), str(band), int(str(limit)), str(currency),
        None if consent is None else str(consent), str(by),
    )  # fmt: skip


def outcome_row(o: Outcome) -> tuple[object, ...]:
    return (
        str(o.subject), o.subject_id, o.decided_at_ns, o.principal_minor, o.currency,
        int(o.defaulted), o.source, o.true_pd_ppm, o.prior_repaid, o.prior_overdue,
    )  # fmt: skip


def outcome_of(row: tuple[object, ...]) -> Outcome:
    kind, subject_id, at_ns, principal, currency, defaulted, source, ppm, repaid, overdue = row
    return Outcome(
        Subject(str(kind)), str(subject_id), int(str(at_ns)), int(str(principal)), str(currency),
        bool(int(str(defaulted))), str(source), None if ppm is None else int(str(ppm)),
        int(str(repaid)), int(str(overdue)),
    )  # fmt: skip
