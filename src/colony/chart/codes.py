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
        200, "payments", (_A.wallet, _A.treasury), (_A.merchant,),
        "A payment to a merchant, from a wallet or (cross-border) its currency's treasury; "
        "user_data_32 is the merchant's discount in basis points.",
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
        203, "payments", (_A.merchant,), (_A.wallet, _A.treasury),
        "Money a merchant gives back; user_data_128 names the payment.",
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
