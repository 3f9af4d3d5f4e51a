"""How payment and refund records map to table rows, the same on every backend."""

from __future__ import annotations

from decimal import Decimal

from colony.payments.store import (
    CaptureMethod,
    CrossBorderRecord,
    Method,
    Party,
    PaymentRecord,
    RefundRecord,
)

PAYMENT_COLUMNS = (
    "id, merchant_id, wallet_id, amount_minor, currency, method, capture_method,"
    " description, reference, created_at_ns, request_sha256"
)
REFUND_COLUMNS = "id, payment_id, amount_minor, created_at_ns"
CROSS_BORDER_COLUMNS = (
    "payment_id, quote_id, wallet_currency, wallet_amount_minor, treasury_minor, spread_minor,"
    " rate, mid_rate"
)
OWNER_COLUMN = {Party.wallet: "wallet_id", Party.merchant: "merchant_id"}


def payment_row(p: PaymentRecord) -> tuple[object, ...]:
    # Ledger transfer ids are u128, past any 64-bit column: kept as decimal text.
    return (
        str(p.id),
        p.merchant_id,
        p.wallet_id,
        p.amount_minor,
        p.currency,
        p.method.value,
        p.capture_method.value,
        p.description,
        p.reference,
        p.created_at_ns,
        p.request_sha256,
    )


def payment_of(row: tuple[object, ...]) -> PaymentRecord:
    pid, merchant, wallet, amount, currency, method, capture, description, reference, at, sha = row
    return PaymentRecord(
        int(str(pid)),
        str(merchant),
        str(wallet),
        int(str(amount)),
        str(currency),
        Method(str(method)),
        CaptureMethod(str(capture)),
        None if description is None else str(description),
        None if reference is None else str(reference),
        int(str(at)),
        None if sha is None else str(sha),
    )


def refund_row(r: RefundRecord) -> tuple[object, ...]:
    return (str(r.id), str(r.payment_id), r.amount_minor, r.created_at_ns)


def refund_of(row: tuple[object, ...]) -> RefundRecord:
    rid, pid, amount, at = row
    return RefundRecord(int(str(rid)), int(str(pid)), int(str(amount)), int(str(at)))


def cross_border_row(c: CrossBorderRecord) -> tuple[object, ...]:
    # Rates as decimal text, never a float.
    return (
        str(c.payment_id),
        c.quote_id,
        c.wallet_currency,
        c.wallet_amount_minor,
        c.treasury_minor,
        c.spread_minor,
        f"{c.rate:f}",
        f"{c.mid_rate:f}",
    )


def cross_border_of(row: tuple[object, ...]) -> CrossBorderRecord:
    pid, quote, currency, paid, treasury, spread, rate, mid = row
    return CrossBorderRecord(
        int(str(pid)),
        str(quote),
        str(currency),
        int(str(paid)),
        int(str(treasury)),
        int(str(spread)),
        Decimal(str(rate)),
        Decimal(str(mid)),
    )
