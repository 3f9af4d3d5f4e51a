"""The credit line's records beside the ledger: the line itself (whose money is in the ledger)
with its state by the rules of `line_model.py` as of the last day run, and the instalment
plans a person asked for, applied by the next day's run in the order they were asked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from dataclasses import dataclass
from typing import Any

from colony.credit.billing import Bill, OverdueBucket, PlanInstalment, overdue_bucket
from colony.credit.line_model import Line, Plan


class LineState(enum.StrEnum):
    open = "open"
    frozen = "frozen"  # overdue: no new purchases until caught up
    charged_off = "charged_off"  # written off: it lends no more; repayments are recoveries


class PlanStatus(enum.StrEnum):
    asked = "asked"  # waiting for the next day's run
    made = "made"
    refused = "refused"  # nothing (or too little) left unbilled to split by then


@dataclass(frozen=True)
class CreditLine:
    id: str  # cl_ + the principal account id in hex
    wallet_id: str
    currency: str
    ledger: int
    principal_account_id: int  # time-ordered: the line's own id, base of its derived ids
    due_day: int
    lender: str  # the funding partner whose capital account gets its share of the income
    opened_at_ns: int
    limit_changes: int  # how many limit grants were made, the opening's included
    model: Line  # the line by the rules, as of the start of `model.today`

    @property
    def state(self) -> LineState:
        if self.model.closed:
            return LineState.charged_off
        return LineState.frozen if self.model.frozen else LineState.open

    @property
    def bucket(self) -> OverdueBucket:
        return overdue_bucket(self.model.days_overdue)


class PlanOf(enum.StrEnum):
    purchase = "purchase"  # `amount_minor` of what is not billed yet
    bill = "bill"  # what the latest bill still asks of its purchases, by its due day


@dataclass(frozen=True)
class PlanRequest:
    id: str  # cpl_ + the Idempotency-Key's id in hex
    line_id: str
    amount_minor: int
    instalments: int
    asked_at_ns: int
    status: PlanStatus = PlanStatus.asked
    what: PlanOf = PlanOf.purchase


# The model's state as JSON: dates as ISO text, bills and plan parts as objects.


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def model_json(line: Line) -> str:
    return json.dumps(_plain(dataclasses.asdict(line)), sort_keys=True)


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _bill(found: dict[str, Any]) -> Bill:
    return Bill(**{**found, "billed": _date(found["billed"]), "due": _date(found["due"])})


def model_of(text: str) -> Line:
    found = json.loads(text)
    plans = [Plan([PlanInstalment(**part) for part in p["parts"]]) for p in found.pop("plans")]
    bill = found.pop("bill")
    history = [_bill(b) for b in found.pop("history")]
    today = dt.date.fromisoformat(found.pop("today"))
    since = _date(found.pop("overdue_since"))
    return Line(
        **found,
        today=today,
        plans=plans,
        bill=None if bill is None else _bill(bill),
        history=history,
        overdue_since=since,
    )
