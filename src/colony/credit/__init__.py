"""Credit: repayment schedules first; scores, the pay-later credit line, cash loans and SME
loans repaid from sales build on them (docs/adr/0045). Scores that explain themselves:
docs/adr/0046. The pay-later credit line on the ledger: docs/adr/0048, 0052."""

from __future__ import annotations

from colony.credit.billing import charge_off_days
from colony.credit.decisions import Decision, decide_merchant, decide_person
from colony.credit.features import RepaymentRecord
from colony.credit.limits import BANDS, DECLINED, Limit, limit_for
from colony.credit.line_provision import owed_by_lines
from colony.credit.line_records import CreditLine, LineState, PlanOf, PlanRequest, PlanStatus
from colony.credit.line_results import CreditLineResult
from colony.credit.line_service import LineService, lender_share_bps
from colony.credit.line_store import LineStore
from colony.credit.line_views import line_figures
from colony.credit.model_file import default_model, load_model, model_text
from colony.credit.provision import LOSS_RATE_BPS, expected_loss, provide
from colony.credit.reason_texts import REASON_TEXTS
from colony.credit.schedule import (
    Instalment,
    Method,
    Schedule,
    ScheduleResult,
    annual_rate_bps_max,
    annuity_instalment,
    due_date,
    instalments_max,
    periodic_rate,
    principal_minor_max,
    schedule,
)
from colony.credit.score_records import ConsentAction, ConsentEvent, Outcome, ScoreRecord
from colony.credit.score_results import ScoreResult
from colony.credit.scorecard import Model, Reason, Scaling, Score, Subject, reasons_max
from colony.credit.scoring import CreditScores, history_scores_max
from colony.credit.sql_line_store import open_line_store
from colony.credit.sql_score_store import open_score_store
from colony.credit.training import Metrics, TrainingRow, train_model
from colony.credit.training_data import training_rows

__all__ = [
    "BANDS",
    "DECLINED",
    "LOSS_RATE_BPS",
    "REASON_TEXTS",
    "ConsentAction",
    "ConsentEvent",
    "CreditLine",
    "CreditLineResult",
    "CreditScores",
    "Decision",
    "Instalment",
    "Limit",
    "LineService",
    "LineState",
    "LineStore",
    "Method",
    "Metrics",
    "Model",
    "Outcome",
    "PlanOf",
    "PlanRequest",
    "PlanStatus",
    "Reason",
    "RepaymentRecord",
    "Scaling",
    "Schedule",
    "ScheduleResult",
    "Score",
    "ScoreRecord",
    "ScoreResult",
    "Subject",
    "TrainingRow",
    "annual_rate_bps_max",
    "annuity_instalment",
    "charge_off_days",
    "decide_merchant",
    "decide_person",
    "default_model",
    "due_date",
    "expected_loss",
    "history_scores_max",
    "instalments_max",
    "lender_share_bps",
    "limit_for",
    "line_figures",
    "load_model",
    "model_text",
    "open_line_store",
    "open_score_store",
    "owed_by_lines",
    "periodic_rate",
    "principal_minor_max",
    "provide",
    "reasons_max",
    "schedule",
    "train_model",
    "training_rows",
]
