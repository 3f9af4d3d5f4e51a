"""The operator console's loans (`/console/loans`, docs/adr/0051, 0057): the portfolio of
every credit product (outstanding per product and currency, PAR30, PAR90, expected loss; cash
loans, loans to merchants as `sme`, the pay-later credit line as `line`) with a bar of each
book's overdue buckets, the line's principal by where it stands, what was written off and
recovered and the provision the ledger holds, the loans to merchants behind their 30-day
minimum, each product's vintage curves drawn as an SVG on the server, and the lenders with
their capital and what they may still lend."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fastapi import Request
from fastapi.responses import Response

from colony.api.deps import Ctx
from colony.credit import LineService
from colony.kernel.clock import date_of_day
from colony.loans import (
    Book,
    LoanService,
    MerchantLoans,
    Vintage,
)
from colony.loans.portfolio_books import BUCKET_NAMES
from colony.staff import StaffService
from colony.web.console_access import console_page, signed_in_staff
from colony.web.i18n import N_
from colony.web.shell import Shell, pages_router

router = pages_router()

# The chart's drawing area, in SVG units, inside its margins.
CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 560, 220, 40
# Loans to merchants behind their minimum the screen lists, most days overdue first.
delinquent_listed_max = 100
# Line colours, one per vintage in turn (readable on white, told apart by their labels too).
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989")


@dataclass(frozen=True)
class Curve:
    label: str  # YYYY-MM and currency
    colour: str
    points: str  # SVG polyline points
    last_x: float
    last_y: float


@dataclass(frozen=True)
class Chart:
    curves: list[Curve]
    months: int  # months on book on the x axis
    top: Decimal  # the share at the top of the y axis

    @property
    def top_percent(self) -> str:
        return f"{self.top * 100:.1f}"

    def x(self, month: int) -> float:
        return CHART_MARGIN + CHART_WIDTH * month / max(self.months, 1)

    def y(self, share: Decimal) -> float:
        return CHART_MARGIN + CHART_HEIGHT * float(1 - share / self.top)


def vintage_chart(vintages: list[Vintage]) -> Chart:
    """Each vintage's share 30+ days overdue by months on book, scaled to the highest."""
    months = max((len(v.bad_minor) - 1 for v in vintages), default=0)
    highest = max((s for v in vintages for s in v.shares()), default=Decimal(0))
    top = max(Decimal("0.05"), highest)  # at least 5%, so a clean book reads as flat
    chart = Chart([], months, top)
    for n, v in enumerate(vintages):
        xy = [(chart.x(m), chart.y(s)) for m, s in enumerate(v.shares())]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        chart.curves.append(
            Curve(f"{v.month} {v.currency}", COLOURS[n % len(COLOURS)], points, *xy[-1])
        )
    return chart


# The overdue buckets' colours, current to 90+, in the bars and their key.
BUCKET_COLOURS = ("#1a7f37", "#9a6700", "#bc4c00", "#d1242f", "#82071e")
# A bucket bar's length in SVG units (narrow, so its labels read on a phone).
BAR_WIDTH = 320
# The products' names on the screen, in the order their vintage charts come.
PRODUCT_NAMES = (("cash", N_("Cash loans")), ("line", N_("Pay-later credit line")),
                 ("sme", N_("Loans to merchants")))  # fmt: skip


@dataclass(frozen=True)
class Segment:
    bucket: str
    colour: str
    x: float
    width: float


def bucket_bar(book: Book) -> list[Segment]:
    """A book's principal by overdue bucket as segments of one bar, in bucket order."""
    whole = book.principal_outstanding_minor
    segments, x = [], 0.0
    for name, colour in zip(BUCKET_NAMES, BUCKET_COLOURS, strict=True):
        part = book.by_bucket_minor.get(name, 0)
        if part <= 0 or whole <= 0:
            continue
        width = BAR_WIDTH * part / whole
        segments.append(Segment(name, colour, x, width))
        x += width
    return segments


def product_charts(vintages: list[Vintage]) -> list[tuple[str, str, Chart, list[Vintage]]]:
    """Each product with vintages: (code, name, its chart, its vintages)."""
    found = []
    for code, name in PRODUCT_NAMES:
        mine = [v for v in vintages if v.product == code]
        if mine:
            found.append((code, name, vintage_chart(mine), mine))
    return found


@router.get("/console/loans")
def loans_console(request: Request, ctx: Ctx) -> Response:
    shell = ctx.service(Shell)
    member = signed_in_staff(shell, request, ctx.service(StaffService))
    service = ctx.service(LoanService)
    report = service.portfolio(lines=ctx.service(LineService).store)
    behind = ctx.service(MerchantLoans).delinquent(report.day + 1, delinquent_listed_max)
    names = {x.merchant_id: m.display_name for x, _, _ in behind
             if (m := ctx.merchants.by_id(x.merchant_id)) is not None}  # fmt: skip
    return console_page(
        shell, request, member, "loans/console.html", report=report,
        charts=product_charts(report.vintages), bars=[bucket_bar(b) for b in report.books],
        bucket_key=list(zip(BUCKET_NAMES, BUCKET_COLOURS, strict=True)), bar_width=BAR_WIDTH,
        lenders=service.lenders.lenders(), width=CHART_WIDTH + 2 * CHART_MARGIN,
        height=CHART_HEIGHT + 2 * CHART_MARGIN, margin=CHART_MARGIN,
        plot_bottom=CHART_MARGIN + CHART_HEIGHT, plot_right=CHART_MARGIN + CHART_WIDTH,
        as_of=date_of_day(report.day).isoformat(),
        behind=behind, names=names, date_of=date_of_day,
    )  # fmt: skip
