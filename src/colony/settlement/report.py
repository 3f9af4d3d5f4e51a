"""A window's settlement report: per partner and currency, what crossed, the fees and the
interchange on it, and the multilateral net (docs/adr/0018).

The obligations each movement makes, in the movement's currency:

- a payment: the issuer (the payer's partner) owes the acquirer (the merchant's) the amount
  posted; the acquirer owes the house the merchant discount on it (its merchant was paid the
  amount less the fee, which is the house's revenue); the house owes the issuer the
  interchange, `interchange_share_bps` of that fee;
- a refund: the acquirer owes the issuer the amount given back. The fee and the interchange
  stay (the service was rendered, as payments/service.py keeps the fee);
- the house's exchange for a cross-border payment (ADR 0019): `fx_in`, the house owes the
  partner the amount (it bought that currency from the house); `fx_out`, the partner owes
  the house the amount (it sold that currency to the house).

An obligation from the house to itself (a house wallet's payment brings no interchange to
anyone; the fee on a house merchant's payment is already the house's) moves nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, fields

from colony.partners import HOUSE_PARTNER_ID
from colony.settlement.movements import Movement, MovementKind
from colony.settlement.netting import Obligation, net_positions
from colony.settlement.windows import Window

# The issuing partner's share of the merchant discount on a payment its user made at another
# partner's merchant, in basis points of the fee; rounded down to the minor unit.
interchange_share_bps = 2_000
_BPS = 10_000


def interchange_minor(fee_minor: int) -> int:
    return fee_minor * interchange_share_bps // _BPS


@dataclass(frozen=True)
class SettlementLine:
    partner_id: str
    currency: str
    payments_acquired: int  # how many of its merchants' payments were posted in the window
    gross_acquired_minor: int  # paid at its merchants by other partners' users
    refunds_acquired_minor: int  # given back by its merchants to other partners' users
    payments_issued: int
    gross_issued_minor: int  # paid by its users at other partners' merchants
    refunds_issued_minor: int  # given back to its users by other partners' merchants
    fees_minor: int  # the merchant discount on its merchants' payments (owed to the house)
    interchange_minor: int  # its share of the fees on its users' payments (owed by the house)
    fx_bought_minor: int  # this currency it got by exchange for another (ADR 0019)
    fx_sold_minor: int  # this currency it gave by exchange for another
    net_minor: int  # the platform pays it (positive) or collects from it (negative)


CSV_COLUMNS = ("window", *(f.name for f in fields(SettlementLine)))


@dataclass(frozen=True)
class SettlementReport:
    window: Window
    closed: bool  # final once the window's end has passed; provisional until then
    lines: list[SettlementLine]
    obligations: list[Obligation]


def obligations_of(movements: Iterable[Movement]) -> list[Obligation]:
    out: list[Obligation] = []
    for m in movements:
        if m.kind is MovementKind.refund:
            out.append(Obligation(m.acquirer, m.issuer, m.currency, m.amount_minor))
            continue
        if m.kind is MovementKind.fx_in:
            out.append(Obligation(HOUSE_PARTNER_ID, m.issuer, m.currency, m.amount_minor))
            continue
        if m.kind is MovementKind.fx_out:
            out.append(Obligation(m.issuer, HOUSE_PARTNER_ID, m.currency, m.amount_minor))
            continue
        out += [
            Obligation(m.issuer, m.acquirer, m.currency, m.amount_minor),
            Obligation(m.acquirer, HOUSE_PARTNER_ID, m.currency, m.fee_minor),
            Obligation(HOUSE_PARTNER_ID, m.issuer, m.currency, interchange_minor(m.fee_minor)),
        ]
    return [o for o in out if o.amount_minor and o.payer != o.payee]


def build_report(window: Window, now_ns: int, movements: list[Movement]) -> SettlementReport:
    sums: dict[tuple[str, str], dict[str, int]] = {}

    def add(partner: str, currency: str, **amounts: int) -> None:
        line = sums.setdefault((partner, currency), {})
        for name, amount in amounts.items():
            line[name] = line.get(name, 0) + amount

    obligations = obligations_of(movements)
    nets = net_positions(obligations)
    for m in movements:
        if m.kind is MovementKind.payment:
            add(
                m.acquirer, m.currency,
                payments_acquired=1, gross_acquired_minor=m.amount_minor, fees_minor=m.fee_minor,
            )  # fmt: skip
            add(
                m.issuer, m.currency,
                payments_issued=1, gross_issued_minor=m.amount_minor,
                interchange_minor=interchange_minor(m.fee_minor),
            )  # fmt: skip
        elif m.kind is MovementKind.refund:
            add(m.acquirer, m.currency, refunds_acquired_minor=m.amount_minor)
            add(m.issuer, m.currency, refunds_issued_minor=m.amount_minor)
        else:  # the house's exchange: the partner is the issuer, the house the acquirer
            bought, sold = (
                (m.issuer, m.acquirer) if m.kind is MovementKind.fx_in else (m.acquirer, m.issuer)
            )
            add(bought, m.currency, fx_bought_minor=m.amount_minor)
            add(sold, m.currency, fx_sold_minor=m.amount_minor)
    for key in nets:
        add(*key)  # the house may be owed fees without a movement of its own
    lines = [
        _line(partner, currency, sums[(partner, currency)], nets.get((partner, currency), 0))
        for partner, currency in sorted(sums, key=lambda pc: (pc[1], pc[0]))
    ]
    return SettlementReport(window, window.closed(now_ns), lines, obligations)


def _line(partner: str, currency: str, s: dict[str, int], net_minor: int) -> SettlementLine:
    return SettlementLine(
        partner,
        currency,
        payments_acquired=s.get("payments_acquired", 0),
        gross_acquired_minor=s.get("gross_acquired_minor", 0),
        refunds_acquired_minor=s.get("refunds_acquired_minor", 0),
        payments_issued=s.get("payments_issued", 0),
        gross_issued_minor=s.get("gross_issued_minor", 0),
        refunds_issued_minor=s.get("refunds_issued_minor", 0),
        fees_minor=s.get("fees_minor", 0),
        interchange_minor=s.get("interchange_minor", 0),
        fx_bought_minor=s.get("fx_bought_minor", 0),
        fx_sold_minor=s.get("fx_sold_minor", 0),
        net_minor=net_minor,
    )


def report_csv(report: SettlementReport) -> str:
    """The report's lines as CSV with a header row: integer minor units beside the currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in report.lines:
        writer.writerow([report.window.name, *(getattr(line, f.name) for f in fields(line))])
    return out.getvalue()
