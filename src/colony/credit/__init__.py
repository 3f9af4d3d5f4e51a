"""Credit: repayment schedules first; scores, the pay-later credit line, cash loans and SME
loans repaid from sales build on them (docs/adr/0045)."""

from __future__ import annotations

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

__all__ = [
    "Instalment",
    "Method",
    "Schedule",
    "ScheduleResult",
    "annual_rate_bps_max",
    "annuity_instalment",
    "due_date",
    "instalments_max",
    "periodic_rate",
    "principal_minor_max",
    "schedule",
]
