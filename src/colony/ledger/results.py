"""Result codes of the ledger's operations.

Names and precedence follow TigerBeetle's `CreateAccountResult` and `CreateTransferResult`
(snake_case, so a batch exported from one system reads the same in the other). When several
results apply to one event, the one listed first wins: the numeric order below *is* the
precedence order, and `tests/ledger/test_result_precedence.py` holds the table.

The numbers are Colony's own. They are part of the journal format and of the public API, so a
number is never reused or renumbered: new codes are appended with fresh numbers.
"""

from __future__ import annotations

import enum


class CreateAccountResult(enum.IntEnum):
    ok = 0
    linked_event_failed = 1
    linked_event_chain_open = 2
    imported_event_expected = 3
    imported_event_not_expected = 4
    timestamp_must_be_zero = 5
    imported_event_timestamp_out_of_range = 6
    imported_event_timestamp_must_not_advance = 7
    reserved_field = 8
    reserved_flag = 9
    id_must_not_be_zero = 10
    id_must_not_be_int_max = 11
    exists_with_different_flags = 12
    exists_with_different_user_data_128 = 13
    exists_with_different_user_data_64 = 14
    exists_with_different_user_data_32 = 15
    exists_with_different_ledger = 16
    exists_with_different_code = 17
    exists = 18
    flags_are_mutually_exclusive = 19
    debits_pending_must_be_zero = 20
    debits_posted_must_be_zero = 21
    credits_pending_must_be_zero = 22
    credits_posted_must_be_zero = 23
    ledger_must_not_be_zero = 24
    code_must_not_be_zero = 25
    imported_event_timestamp_must_not_regress = 26


class CreateTransferResult(enum.IntEnum):
    ok = 0
    # chains
    linked_event_failed = 1
    linked_event_chain_open = 2
    # imports and timestamps
    imported_event_expected = 3
    imported_event_not_expected = 4
    timestamp_must_be_zero = 5
    imported_event_timestamp_out_of_range = 6
    imported_event_timestamp_must_not_advance = 7
    reserved_flag = 8
    # ids
    id_must_not_be_zero = 9
    id_must_not_be_int_max = 10
    # idempotency
    exists_with_different_flags = 11
    exists_with_different_pending_id = 12
    exists_with_different_timeout = 13
    exists_with_different_debit_account_id = 14
    exists_with_different_credit_account_id = 15
    exists_with_different_amount = 16
    exists_with_different_user_data_128 = 17
    exists_with_different_user_data_64 = 18
    exists_with_different_user_data_32 = 19
    exists_with_different_ledger = 20
    exists_with_different_code = 21
    exists = 22
    id_already_failed = 23
    # shape
    flags_are_mutually_exclusive = 24
    debit_account_id_must_not_be_zero = 25
    debit_account_id_must_not_be_int_max = 26
    credit_account_id_must_not_be_zero = 27
    credit_account_id_must_not_be_int_max = 28
    accounts_must_be_different = 29
    pending_id_must_be_zero = 30
    pending_id_must_not_be_zero = 31
    pending_id_must_not_be_int_max = 32
    pending_id_must_be_different = 33
    timeout_reserved_for_pending_transfer = 34
    closing_transfer_must_be_pending = 35
    ledger_must_not_be_zero = 36
    code_must_not_be_zero = 37
    # lookups
    debit_account_not_found = 38
    credit_account_not_found = 39
    accounts_must_have_the_same_ledger = 40
    transfer_must_have_the_same_ledger_as_accounts = 41
    # two-phase
    pending_transfer_not_found = 42
    pending_transfer_not_pending = 43
    pending_transfer_has_different_debit_account_id = 44
    pending_transfer_has_different_credit_account_id = 45
    pending_transfer_has_different_ledger = 46
    pending_transfer_has_different_code = 47
    exceeds_pending_transfer_amount = 48
    pending_transfer_has_different_amount = 49
    pending_transfer_already_posted = 50
    pending_transfer_already_voided = 51
    pending_transfer_expired = 52
    # imports
    imported_event_timestamp_must_not_regress = 53
    imported_event_timestamp_must_postdate_debit_account = 54
    imported_event_timestamp_must_postdate_credit_account = 55
    imported_event_timeout_must_be_zero = 56
    # closed accounts
    debit_account_already_closed = 57
    credit_account_already_closed = 58
    # overflow
    overflows_debits_pending = 59
    overflows_credits_pending = 60
    overflows_debits_posted = 61
    overflows_credits_posted = 62
    overflows_debits = 63
    overflows_credits = 64
    overflows_timeout = 65
    # balance limits
    exceeds_credits = 66
    exceeds_debits = 67


# A transfer that failed for one of these reasons may succeed later (the account may appear, be
# reopened or receive funds), so the id is burnt: a retry with the same id returns
# `id_already_failed` and a new attempt needs a new id. This keeps "same id, same outcome".
TRANSIENT_TRANSFER_RESULTS: frozenset[CreateTransferResult] = frozenset(
    {
        CreateTransferResult.debit_account_not_found,
        CreateTransferResult.credit_account_not_found,
        CreateTransferResult.pending_transfer_not_found,
        CreateTransferResult.exceeds_credits,
        CreateTransferResult.exceeds_debits,
        CreateTransferResult.debit_account_already_closed,
        CreateTransferResult.credit_account_already_closed,
    }
)


def reference_markdown() -> str:
    """The result-code reference in docs/result-codes.md (a test keeps the two equal)."""
    out = [
        "# Ledger result codes",
        "",
        "Generated from `src/colony/ledger/results.py` by",
        "`python -c 'from colony.ledger.results import reference_markdown as r; print(r())'`.",
        "When several results apply to one event, the lowest number wins (precedence order).",
        "Names are TigerBeetle's; numbers are Colony's and are never reused.",
        "A *transient* failure burns the id: a retry with it returns `id_already_failed`.",
        "",
        "## create_transfers",
        "",
        "| number | result | transient |",
        "| ---: | --- | --- |",
    ]
    for r in CreateTransferResult:
        out.append(
            f"| {r.value} | `{r.name}` | {'yes' if r in TRANSIENT_TRANSFER_RESULTS else ''} |"
        )
    out += ["", "## create_accounts", "", "| number | result |", "| ---: | --- |"]
    for a in CreateAccountResult:
        out.append(f"| {a.value} | `{a.name}` |")
    out += ["", "## When the less obvious ones occur", "", *_NOTES]
    return "\n".join(out) + "\n"


# TigerBeetle's rules, as its own state-machine tests hold them (docs/adr/0022).
_NOTES = [
    "- `imported_event_timestamp_must_not_regress`: an imported transfer must postdate the last",
    "  transfer (or expiry of a pending transfer), an imported account the last account, and",
    "  neither may take a timestamp that an event of the other kind holds.",
    "- `imported_event_timestamp_must_postdate_debit_account` / `..._credit_account`: an",
    "  imported transfer after the last transfer but not after one of its accounts; accounts and",
    "  transfers each rise on their own, so they can interleave.",
    "- `imported_event_timestamp_must_not_advance`: an imported timestamp at or past the",
    "  batch's own last timestamp.",
    "- `exceeds_pending_transfer_amount`: a post or a void of more than is pending; a void of",
    "  less (other than 0, which means all of it) is `pending_transfer_has_different_amount`.",
    "- `debit_account_already_closed` / `credit_account_already_closed`: a closed account takes",
    "  no transfer but the void of a pending transfer; posting the pending transfer that closed",
    "  it is refused too, so that one is voided (or expires) to open the account again.",
    "- `overflows_timeout`: the deadline, timestamp plus timeout, past 2**63-1 ns.",
    "- Journals written before these rules replay under the rules they were written with.",
]
