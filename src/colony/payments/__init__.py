from __future__ import annotations

from colony.payments.checkout import Checkout
from colony.payments.credit_line import CreditLineSource, Funding, LinePurchase, LineStanding
from colony.payments.cross_border import CrossBorderPayments
from colony.payments.emv_qr import (
    MerchantQr,
    QrFormatError,
    amount_minor_max_on_a_code,
    generate,
    parse,
)
from colony.payments.payment_code import (
    CODE_PREFIX,
    Device,
    PaymentCodeVerifier,
    code_failure_window_s,
    device_number_digits,
    new_device,
    password_digits,
    step_s,
)
from colony.payments.qr_image import render
from colony.payments.received import PaymentStatus, ReceivedPayment, received, received_one
from colony.payments.recent import PaymentsWindow, Window, live_window_s
from colony.payments.service import (
    TRANSFER_PAYMENT,
    TRANSFER_REFUND,
    PaymentService,
    PayOutcome,
    PayResult,
    discount_fee,
    headroom_at,
    refund_result,
    review_hold_s,
)
from colony.payments.sql_device_store import open_device_store
from colony.payments.sql_store import open_payment_store
from colony.payments.store import (
    CaptureMethod,
    CrossBorderRecord,
    Party,
    PaymentRecord,
    PaymentSearch,
    PaymentStore,
    description_chars_max,
    reference_chars_max,
)
from colony.payments.treasury import is_treasury_account, positions

__all__ = [
    "CODE_PREFIX",
    "TRANSFER_PAYMENT",
    "TRANSFER_REFUND",
    "CaptureMethod",
    "Checkout",
    "CreditLineSource",
    "CrossBorderPayments",
    "CrossBorderRecord",
    "Device",
    "Funding",
    "LinePurchase",
    "LineStanding",
    "MerchantQr",
    "Party",
    "PayOutcome",
    "PayResult",
    "PaymentCodeVerifier",
    "PaymentRecord",
    "PaymentSearch",
    "PaymentService",
    "PaymentStatus",
    "PaymentStore",
    "PaymentsWindow",
    "QrFormatError",
    "ReceivedPayment",
    "Window",
    "amount_minor_max_on_a_code",
    "code_failure_window_s",
    "description_chars_max",
    "device_number_digits",
    "discount_fee",
    "generate",
    "headroom_at",
    "is_treasury_account",
    "live_window_s",
    "new_device",
    "open_device_store",
    "open_payment_store",
    "parse",
    "password_digits",
    "positions",
    "received",
    "received_one",
    "reference_chars_max",
    "refund_result",
    "render",
    "review_hold_s",
    "step_s",
]
