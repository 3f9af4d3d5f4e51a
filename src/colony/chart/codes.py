"""Account codes (what kind of account) and transfer codes (why money moved), each declared once.

A code is a u16 in the ledger. Each product takes its codes from here, never writes a number:
adding one is one line in the enum below, with the product that owns it and what it means;
`enum.unique` refuses a number declared twice when the module is imported, before any ledger
sees it. Numbers are grouped by product in hundreds (transfers) and tens (accounts), never
reused, and never renumbered: they are in every journal already written.
"""

from __future__ import annotations

import enum

CODE_MAX = (1 << 16) - 1  # a code is a u16


@enum.unique
class AccountCode(enum.IntEnum):
    """What kind of account; `per` says how many there are, `product` which package opens them."""

    product: str
    per: str
    meaning: str

    def __new__(cls, number: int, product: str, per: str, meaning: str) -> AccountCode:
        member = int.__new__(cls, number)
        member._value_ = number
        member.product, member.per, member.meaning = product, per, meaning
        return member

    funding = (
        10, "wallets", "currency",
        "Where cash paid in at agents comes from (the opening coin, cash-ins): the agents' "
        "settlement.",
    )  # fmt: skip
    funding_partner = (
        11, "wallets", "funding partner and currency",
        "A bank's or card issuer's settlement account: top-ups come from it, withdrawals go to "
        "it.",
    )  # fmt: skip
    fee_revenue = (
        20, "merchants", "currency", "The operator's revenue from merchants' discount fees."
    )  # fmt: skip
    wallet = (
        30, "wallets", "wallet", "What Colony owes a person: the wallet itself, never below zero."
    )  # fmt: skip
    balance_headroom = (
        31, "wallets", "wallet",
        "What the wallet may still receive under its tier's balance cap; never below zero.",
    )  # fmt: skip
    daily_outflow = (
        32, "wallets", "wallet and UTC day",
        "What the wallet may still pay out that day under its tier's daily cap.",
    )  # fmt: skip
    limit_control = (
        33, "wallets", "currency", "The other side of every headroom and allowance movement."
    )  # fmt: skip
    merchant = (40, "merchants", "merchant", "What Colony owes a merchant.")  # fmt: skip
    refundable = (
        60, "payments", "payment",
        "What may still be refunded of a payment: granted with it, drawn down by each refund.",
    )  # fmt: skip
    payments_control = (
        61, "payments", "currency", "The other side of every payment's refundable allowance."
    )  # fmt: skip
    treasury = (
        62, "payments", "currency",
        "The platform's liquidity in a currency: its balance is the FX position (ADR 0016).",
    )  # fmt: skip
    fx_revenue = (
        63, "payments", "currency", "The house's FX spread earned in a currency."
    )  # fmt: skip
    partner_clearing = (
        70, "partners", "partner and currency",
        "What the platform owes a partner (credit) or is owed by it (debit) (ADR 0017).",
    )  # fmt: skip
    cause = (80, "donations", "cause", "What Colony owes a charity: the donations it received.")
    # Credit (docs/adr/0050): lenders' capital, what borrowers owe, and what lending earns and
    # loses. "Product" below is the credit product: `line` (pay later), `cash` (cash loans) or
    # `sme` (loans to merchants repaid from their sales).
    lender_capital = (
        90, "credit", "lender and currency",
        "What Colony owes a lender (a funding partner): the capital it paid in and its share of "
        "what its loans earned.",
    )  # fmt: skip
    lender_available = (
        91, "credit", "lender and currency",
        "How much of a lender's capital may still be lent: granted as capital arrives, drawn by "
        "each loan, given back as principal is repaid; never below zero.",
    )  # fmt: skip
    credit_control = (
        92, "credit", "currency",
        "The other side of every lending allowance: a lender's available capital, a line's "
        "available limit.",
    )  # fmt: skip
    loan_principal = (
        93, "credit", "loan or credit line",
        "What a borrower owes of principal: debited by the money lent (a disbursement, a "
        "purchase on the line), credited by repayments, refunds and charge-off.",
    )  # fmt: skip
    loan_interest = (
        94, "credit", "loan or credit line",
        "What a borrower owes beyond principal: interest accrued, fees and penalty interest "
        "charged, not yet repaid.",
    )  # fmt: skip
    line_available = (
        95, "credit", "credit line",
        "What a person may still spend on their credit line: the limit granted, drawn by "
        "purchases, given back by refunds and repayments; never below zero.",
    )  # fmt: skip
    interest_income = (
        96, "credit", "product and currency", "Interest earned on loans and lines."
    )  # fmt: skip
    fee_income = (
        97, "credit", "product and currency",
        "Fees earned: instalment fees on the line, the fixed fee of a loan to a merchant.",
    )  # fmt: skip
    penalty_income = (
        98, "credit", "product and currency", "Penalty interest earned on overdue amounts."
    )  # fmt: skip
    loss_provision = (
        99, "credit", "product and currency",
        "The allowance for loans that will not be repaid (a contra-asset): raised by provisions, "
        "used by charge-offs.",
    )  # fmt: skip
    provision_expense = (
        100, "credit", "product and currency", "What provisioning for expected losses cost."
    )  # fmt: skip
    charge_off = (
        101, "credit", "product and currency",
        "Loans written off beyond what the provision covered: the loss itself.",
    )  # fmt: skip
    recoveries = (
        102, "credit", "product and currency",
        "Money collected on loans already charged off.",
    )  # fmt: skip
    goodwill = (
        110, "disputes", "currency",
        "The operator's goodwill credits to people whose complaints it upheld: an expense, "
        "debited only (ADR 0053).",
    )  # fmt: skip


_A = AccountCode


@enum.unique
class TransferCode(enum.IntEnum):
    """Why money moved: `debits` and `credits` name the kinds of account it may move between."""

    product: str
    debits: frozenset[AccountCode]
    credits: frozenset[AccountCode]
    meaning: str

    def __new__(
        cls,
        number: int,
        product: str,
        debits: tuple[AccountCode, ...],
        credits: tuple[AccountCode, ...],
        meaning: str,
    ) -> TransferCode:
        member = int.__new__(cls, number)
        member._value_ = number
        member.product, member.meaning = product, meaning
        member.debits, member.credits = frozenset(debits), frozenset(credits)
        return member

    opening_deposit = (
        101, "wallets", (_A.funding,), (_A.wallet,),
        "Cash paid in at an agent: a wallet's opening coin, and every cash-in after it.",
    )  # fmt: skip
    p2p = (102, "wallets", (_A.wallet,), (_A.wallet,), "Money sent from one wallet to another.")
    headroom = (
        103, "wallets", (_A.balance_headroom, _A.limit_control),
        (_A.balance_headroom, _A.limit_control),
        "Balance headroom used by money arriving in a wallet, or given back by money leaving it.",
    )  # fmt: skip
    outflow = (
        104, "wallets", (_A.daily_outflow,), (_A.limit_control,),
        "The day's outflow allowance used by money leaving a wallet.",
    )  # fmt: skip
    limit_grant = (
        105, "wallets", (_A.limit_control,), (_A.balance_headroom, _A.daily_outflow),
        "A tier's caps granted as headroom or allowance, or raised on upgrade.",
    )  # fmt: skip
    top_up = (
        106, "wallets", (_A.funding_partner,), (_A.wallet,),
        "Money from a funding partner, held until the partner confirms.",
    )  # fmt: skip
    withdrawal = (
        107, "wallets", (_A.wallet,), (_A.funding_partner,),
        "Money out to a funding partner, held until the partner confirms.",
    )  # fmt: skip
    payment = (
        200, "payments", (_A.wallet, _A.treasury, _A.loan_principal), (_A.merchant,),
        "A payment to a merchant, from a wallet, (cross-border) its currency's treasury, or "
        "(paid with the credit line) the line's principal; user_data_32 is the merchant's "
        "discount in basis points.",
    )  # fmt: skip
    discount_fee = (
        201, "merchants", (_A.merchant,), (_A.fee_revenue,),
        "The merchant's discount fee on a payment.",
    )  # fmt: skip
    refundable = (
        202, "payments", (_A.payments_control, _A.refundable),
        (_A.payments_control, _A.refundable),
        "A payment's refundable amount, granted with it and drawn down by each refund.",
    )  # fmt: skip
    refund = (
        203, "payments", (_A.merchant, _A.loan_principal),
        (_A.wallet, _A.treasury, _A.loan_principal),
        "Money a merchant gives back (to the credit line, when it paid, and what is beyond "
        "the line's principal owed on into the wallet); user_data_128 names the payment.",
    )  # fmt: skip
    fx_payer = (
        204, "payments", (_A.wallet, _A.treasury), (_A.wallet, _A.treasury),
        "A payer's money into its currency's treasury, or back on a refund (ADR 0016).",
    )  # fmt: skip
    fx_spread = (
        205, "payments", (_A.treasury, _A.fx_revenue), (_A.treasury, _A.wallet, _A.fx_revenue),
        "The house's FX spread, treasury to FX revenue, or back to the wallet on a refund.",
    )  # fmt: skip
    partner_clearing = (
        210, "partners", (_A.partner_clearing,), (_A.partner_clearing,),
        "A payment's (or refund's) amount owed from one partner to another; user_data_128 "
        "names the payment or refund.",
    )  # fmt: skip
    partner_fx = (
        211, "partners", (_A.partner_clearing,), (_A.partner_clearing,),
        "The house's exchange for a partner: one currency owed for another (ADR 0019).",
    )  # fmt: skip
    payout = (
        220, "merchants", (_A.merchant,), (_A.funding_partner,),
        "A merchant's balance at the end of a UTC day paid out through a funding partner to its "
        "bank; user_data_32 is that day, days since 1970-01-01 (ADR 0041).",
    )  # fmt: skip
    donation = (
        300, "donations", (_A.wallet,), (_A.cause,), "A wallet's donation to a cause (a charity)."
    )  # fmt: skip
    # Credit (docs/adr/0050). Codes 430-449 are the credit line's, 450-469 loans to merchants'.
    lender_funding = (
        400, "credit", (_A.funding_partner, _A.lender_capital),
        (_A.lender_capital, _A.funding_partner),
        "A lender's capital paid in through its settlement account, or paid back out to it.",
    )  # fmt: skip
    lending_allowance = (
        401, "credit", (_A.credit_control, _A.lender_available, _A.line_available),
        (_A.credit_control, _A.lender_available, _A.line_available),
        "A lender's available capital or a line's available limit: granted, drawn by lending, "
        "given back by repayment.",
    )  # fmt: skip
    disbursement = (
        402, "credit", (_A.loan_principal,), (_A.wallet, _A.merchant),
        "A loan paid out: into the borrower's wallet, or a merchant's settlement account.",
    )  # fmt: skip
    interest_accrual = (
        410, "credit", (_A.loan_interest,), (_A.interest_income,),
        "A day's interest on the outstanding principal; user_data_32 is the UTC day, days since "
        "1970-01-01.",
    )  # fmt: skip
    fee_charge = (
        411, "credit", (_A.loan_interest,), (_A.fee_income,),
        "A fee charged to a borrower: an instalment plan's fee, a loan's fixed fee.",
    )  # fmt: skip
    penalty_accrual = (
        412, "credit", (_A.loan_interest,), (_A.penalty_income,),
        "A day's penalty interest on an overdue amount; user_data_32 is the UTC day.",
    )  # fmt: skip
    repayment = (
        413, "credit", (_A.wallet, _A.merchant), (_A.loan_principal, _A.loan_interest),
        "A borrower's repayment: from the wallet, or a merchant's share of its settlement; "
        "interest and fees first, then principal.",
    )  # fmt: skip
    lender_share = (
        414, "credit", (_A.interest_income, _A.fee_income, _A.penalty_income),
        (_A.lender_capital,),
        "A lender's agreed share of what its loans earned, credited to its capital.",
    )  # fmt: skip
    provision = (
        415, "credit", (_A.provision_expense, _A.loss_provision),
        (_A.loss_provision, _A.provision_expense),
        "The loss provision raised (or released) to what the portfolio's buckets call for.",
    )  # fmt: skip
    charge_off = (
        416, "credit", (_A.loss_provision, _A.charge_off),
        (_A.loan_principal, _A.loan_interest),
        "A loan written off: against the provision, the rest as a loss; it is still owed.",
    )  # fmt: skip
    recovery = (
        417, "credit", (_A.wallet, _A.merchant), (_A.recoveries,),
        "Money collected on a loan already charged off.",
    )  # fmt: skip
    goodwill_credit = (
        500, "disputes", (_A.goodwill,), (_A.wallet,),
        "The operator's goodwill credit to a complaining wallet, with its reason on record; "
        "user_data_128 names the complaint (ADR 0053).",
    )  # fmt: skip
    chargeback = (
        501, "disputes", (_A.merchant,), (_A.wallet,),
        "A lost dispute's amount taken back from the merchant to the wallet, even below zero: "
        "later takings recover it before any payout; user_data_128 names the payment "
        "(ADR 0053).",
    )  # fmt: skip
