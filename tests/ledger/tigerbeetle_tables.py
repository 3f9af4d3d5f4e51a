# ruff: noqa: E501
"""TigerBeetle's own state-machine test tables, kept verbatim as data.

Copied from TigerBeetle's `src/state_machine_tests.zig` (https://github.com/tigerbeetle/tigerbeetle,
commit 52ad553f96355e63516ecfc8db25540c17c1c0c7), Copyright TigerBeetle, Inc., licensed under
the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). Each entry is
the text of one `check(...)` call, named after its Zig test (a test with two checks gives two
entries); Zig comment lines became `#` lines, nothing else changed. `tb_tables.py` reads the
format and `test_tigerbeetle_tables.py` runs every table through Colony's state machine.

Reading a row: `account ID DP DPO CP CPO UD128 UD64 UD32 RESERVED LEDGER CODE` then the flags
`LNK D<C C<D HIST IMP CLSD`, padding, timestamp and the expected result; `transfer ID DR CR
AMOUNT PENDING_ID UD128 UD64 UD32 TIMEOUT LEDGER CODE` then `LNK PEN POS VOI BDR BCR IMP CDR
CCR`, padding, timestamp and the result. `_` is the field's default, a leading letter is only a
label (`A1` is 1), and `-N` is the field's maximum less N (`-0` is 2**128-1 for an amount).
`setup` writes an account's balances directly; `tick` moves the clock; `commit` ends a batch.
"""

from __future__ import annotations

TABLES: dict[str, str] = {
    "create_accounts": """
account A1  0  0  0  0 U2 U2 U2 _ L3 C4 _   _   _ _ _ _ _ _ created
account A0  1  1  1  1  _  _  _ 1 L0 C0 _ D<C C<D _ _ _ 1 1 timestamp_must_be_zero
account A0  1  1  1  1  _  _  _ 1 L0 C0 _ D<C C<D _ _ _ 1 _ reserved_field
account A0  1  1  1  1  _  _  _ _ L0 C0 _ D<C C<D _ _ _ 1 _ reserved_flag
account A0  1  1  1  1  _  _  _ _ L0 C0 _ D<C C<D _ _ _ _ _ id_must_not_be_zero
account -0  1  1  1  1  _  _  _ _ L0 C0 _ D<C C<D _ _ _ _ _ id_must_not_be_int_max
account A1  0  0  0  0 U1 U1 U1 _ L9 C9 _ D<C   _ _ _ _ _ _ exists_with_different_flags
account A1  0  0  0  0 U1 U1 U1 _ L9 C9 _   _ C<D _ _ _ _ _ exists_with_different_flags
account A1  0  0  0  0 U1 U1 U1 _ L9 C9 _   _   _ _ _ _ _ _ exists_with_different_user_data_128
account A1  0  0  0  0 U2 U1 U1 _ L9 C9 _   _   _ _ _ _ _ _ exists_with_different_user_data_64
account A1  0  0  0  0 U2 U2 U1 _ L9 C9 _   _   _ _ _ _ _ _ exists_with_different_user_data_32
account A1  0  0  0  0 U2 U2 U2 _ L9 C9 _   _   _ _ _ _ _ _ exists_with_different_ledger
account A1  0  0  0  0 U2 U2 U2 _ L3 C9 _   _   _ _ _ _ _ _ exists_with_different_code
account A1  0  0  0  0 U2 U2 U2 _ L3 C4 _   _   _ _ _ _ _ _ exists
account A2  1  1  1  1 U1 U1 U1 _ L0 C0 _ D<C C<D _ _ _ _ _ flags_are_mutually_exclusive
account A2  1  1  1  1 U1 U1 U1 _ L9 C9 _ D<C   _ _ _ _ _ _ debits_pending_must_be_zero
account A2  0  1  1  1 U1 U1 U1 _ L9 C9 _ D<C   _ _ _ _ _ _ debits_posted_must_be_zero
account A2  0  0  1  1 U1 U1 U1 _ L9 C9 _ D<C   _ _ _ _ _ _ credits_pending_must_be_zero
account A2  0  0  0  1 U1 U1 U1 _ L9 C9 _ D<C   _ _ _ _ _ _ credits_posted_must_be_zero
account A2  0  0  0  0 U1 U1 U1 _ L0 C0 _ D<C   _ _ _ _ _ _ ledger_must_not_be_zero
account A2  0  0  0  0 U1 U1 U1 _ L9 C0 _ D<C   _ _ _ _ _ _ code_must_not_be_zero
commit create_accounts

lookup_account -0 _
lookup_account A0 _
lookup_account A1 0 0 0 0 _
lookup_account A2 _
commit lookup_accounts
""",
    "create_accounts: empty": """
commit create_transfers
""",
    "linked accounts (1)": """
account A7  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created // An individual event (successful):
# A chain of 4 events (the last event in the chain closes the chain with linked=false):
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed // Commit/rollback.
account A2  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed // Commit/rollback.
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ exists              // Fail with .exists.
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ linked_event_failed // Fail without committing.
# An individual event (successful):
# This does not see any effect from the failed chain above.
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
# A chain of 2 events (the first event fails the chain):
account A1  0  0  0  0  _  _  _ _ L1 C2 LNK   _   _ _ _ _ _ _ exists_with_different_flags
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ linked_event_failed
# An individual event (successful):
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
# A chain of 2 events (the last event fails the chain):
account A3  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed
account A1  0  0  0  0  _  _  _ _ L2 C1   _   _   _ _ _ _ _ _ exists_with_different_ledger
# A chain of 2 events (successful):
account A3  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

lookup_account A7 0 0 0 0 _
lookup_account A1 0 0 0 0 _
lookup_account A2 0 0 0 0 _
lookup_account A3 0 0 0 0 _
lookup_account A4 0 0 0 0 _
commit lookup_accounts
""",
    "linked accounts (2)": """
account A7  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created // An individual event (successful):
# A chain of 4 events:
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed // Commit/rollback.
account A2  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed // Commit/rollback.
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ exists              // Fail with .exists.
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ linked_event_failed // Fail without committing.
commit create_accounts

lookup_account A7 0 0 0 0 _
lookup_account A1 _
lookup_account A2 _
lookup_account A3 _
commit lookup_accounts
""",
    "linked_event_chain_open": """
# A chain of 3 events (the last event in the chain closes the chain with linked=false):
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
# An open chain of 2 events:
account A4  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed
account A5  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_chain_open
commit create_accounts

lookup_account A1 0 0 0 0 _
lookup_account A2 0 0 0 0 _
lookup_account A3 0 0 0 0 _
lookup_account A4 _
lookup_account A5 _
commit lookup_accounts
""",
    "linked_event_chain_open for an already failed batch": """
# An individual event (successful):
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
# An open chain of 3 events (the second one fails):
account A2  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_failed
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ exists_with_different_flags
account A3  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_chain_open
commit create_accounts

lookup_account A1 0 0 0 0 _
lookup_account A2 _
lookup_account A3 _
commit lookup_accounts
""",
    "linked_event_chain_open for a batch of 1": """
account A1  0  0  0  0  _  _  _ _ L1 C1 LNK   _   _ _ _ _ _ _ linked_event_chain_open
commit create_accounts

lookup_account A1 _
commit lookup_accounts
""",
    "create_transfers/lookup_transfers": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L2 C2   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A5  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
commit create_accounts
# Set up initial balances.
setup A1  100   200    0     0
setup A2    0     0    0     0
setup A3    0     0  110   210
setup A4   20  -700    0  -500
setup A5    0 -1000   10 -1100
# Bump the state machine time to `maxInt - 3s` for testing timeout overflow.
tick -3 seconds
# Test errors by descending precedence.
transfer   T0 A0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _ _    _   P1 1 timestamp_must_be_zero
transfer   T0 A0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _ _    _   P1 _ reserved_flag
transfer   T0 A0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ id_must_not_be_zero
transfer   -0 A0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ id_must_not_be_int_max
transfer   T1 A0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ debit_account_id_must_not_be_zero
transfer   T1 -0 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ debit_account_id_must_not_be_int_max
transfer   T1 A8 A0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ credit_account_id_must_not_be_zero
transfer   T1 A8 -0    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ credit_account_id_must_not_be_int_max
transfer   T1 A8 A8    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ accounts_must_be_different
transfer   T1 A8 A9    9  T1  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ pending_id_must_be_zero
transfer   T1 A8 A9    9   _  _  _  _    1 L0 C0   _   _   _   _   _   _ _  _   _   _ _ timeout_reserved_for_pending_transfer
transfer   T1 A8 A9    9   _  _  _  _    _ L0 C0   _   _   _   _   _   _ _  CDR _   _ _ closing_transfer_must_be_pending
transfer   T1 A8 A9    9   _  _  _  _    _ L0 C0   _   _   _   _   _   _ _  _   CCR _ _ closing_transfer_must_be_pending
transfer   T1 A8 A9    9   _  _  _  _    _ L0 C0   _ PEN   _   _   _   _ _  _   _   _ _ ledger_must_not_be_zero
transfer   T1 A8 A9    9   _  _  _  _    _ L9 C0   _ PEN   _   _   _   _ _  _   _   _ _ code_must_not_be_zero
# `debit_account_not_found` is a transient error, T1 cannot be reused:
transfer   T1 A8 A9    9   _  _  _  _    _ L9 C1   _ PEN   _   _   _   _ _  _   _   _ _ debit_account_not_found
transfer   T1 A1 A3  123   _  _  _  _    _ L1 C1   _ _     _   _   _   _ _  _   _   _ _ id_already_failed
# `credit_account_not_found` is a transient error, T2 cannot be reused:
transfer   T2 A1 A9    9   _  _  _  _    _ L9 C1   _ PEN   _   _   _   _ _  _   _   _ _ credit_account_not_found
transfer   T2 A1 A3  123   _  _  _  _    _ L1 C1   _ _     _   _   _   _ _  _   _   _ _ id_already_failed
commit create_transfers

transfer   T3 A1 A2    1   _  _  _  _    _ L9 C1   _ PEN   _   _   _   _ _  _   _   _ _ accounts_must_have_the_same_ledger
transfer   T3 A1 A3    1   _  _  _  _    _ L9 C1   _ PEN   _   _   _   _ _  _   _   _ _ transfer_must_have_the_same_ledger_as_accounts
transfer   T3 A1 A3  -99   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_debits_pending  // amount = max - A1.debits_pending + 1
transfer   T3 A1 A3 -109   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_credits_pending // amount = max - A3.credits_pending + 1
transfer   T3 A1 A3 -199   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_debits_posted   // amount = max - A1.debits_posted + 1
transfer   T3 A1 A3 -209   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_credits_posted  // amount = max - A3.credits_posted + 1
transfer   T3 A1 A3 -299   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_debits          // amount = max - A1.debits_pending - A1.debits_posted + 1
transfer   T3 A1 A3 -319   _  _  _  _    _ L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_credits         // amount = max - A3.credits_pending - A3.credits_posted + 1
transfer   T3 A4 A5  199   _  _  _  _  999 L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ overflows_timeout
# `exceeds_credits` is a transient error, T3 cannot be reused:
transfer   T3 A4 A5  199   _  _  _  _    _ L1 C1   _   _   _   _   _   _ _  _   _   _ _ exceeds_credits           // amount = A4.credits_posted - A4.debits_pending - A4.debits_posted + 1
transfer   T3 A1 A3  123   _  _  _  _    _ L1 C1   _ _     _   _   _   _ _  _   _   _ _ id_already_failed
# `exceeds_debits` is a transient error, T4 cannot be reused:
transfer   T4 A4 A5   91   _  _  _  _    _ L1 C1   _   _   _   _   _   _ _  _   _   _ _ exceeds_debits            // amount = A5.debits_posted - A5.credits_pending - A5.credits_posted + 1
transfer   T4 A1 A3  123   _  _  _  _    _ L1 C1   _ _     _   _   _   _ _  _   _   _ _ id_already_failed

transfer   T5 A1 A3  123   _  _  _  _    1 L1 C1   _ PEN   _   _   _   _ _  _   _   _ _ created
commit create_transfers
# Ensure that idempotence is checked first:
transfer   T5 A1 A3  123   _  _  _  _    1 L2 C1   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_ledger
transfer   T5 A1 A3   -0   _ U1 U1 U1    _ L1 C2   _   _   _   _   _   _ _  _ _ _ _ exists_with_different_flags
transfer   T5 A3 A1   -0   _ U1 U1 U1    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_debit_account_id
transfer   T5 A1 A4   -0   _ U1 U1 U1    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_credit_account_id
transfer   T5 A1 A3   -0   _ U1 U1 U1    1 L1 C1   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_amount
transfer   T5 A1 A3  123   _ U1 U1 U1    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_user_data_128
transfer   T5 A1 A3  123   _  _ U1 U1    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_user_data_64
transfer   T5 A1 A3  123   _  _  _ U1    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_user_data_32
transfer   T5 A1 A3  123   _  _  _  _    2 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_timeout
transfer   T5 A1 A3  123   _  _  _  _    1 L1 C2   _ PEN   _   _   _   _ _  _ _ _ _ exists_with_different_code
transfer   T5 A1 A3  123   _  _  _  _    1 L1 C1   _ PEN   _   _   _   _ _  _ _ _ _ exists

transfer   T6 A3 A1    7   _  _  _  _    _ L1 C2   _   _   _   _   _   _ _  _ _ _ _ created
transfer   T7 A1 A3    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _ _  _ _ _ _ created
transfer   T8 A1 A3    0   _  _  _  _    _ L1 C2   _   _   _   _   _   _ _  _ _ _ _ created
commit create_transfers

lookup_account A1 223 203   0   7  _
lookup_account A3   0   7 233 213  _
commit lookup_accounts

lookup_transfer T5 exists true
lookup_transfer T6 exists true
lookup_transfer T7 exists true
lookup_transfer T8 exists true
lookup_transfer -0 exists false
commit lookup_transfers
""",
    "create/lookup 2-phase transfers": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts
# First phase.
transfer   T1 A1 A2   15   _  _  _  _    _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created // Not pending!
transfer   T2 A1 A2   15   _  _  _  _ 1000 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T3 A1 A2   15   _  _  _  _   50 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T4 A1 A2   15   _  _  _  _    1 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T5 A1 A2    7   _ U9 U9 U9   50 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T6 A1 A2    1   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T7 A1 A2    1   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
commit create_transfers
# Check balances before resolving.
lookup_account A1 54 15  0  0  _
lookup_account A2  0  0 54 15  _
commit lookup_accounts
# Bump the state machine time in +1s for testing the timeout expiration.
tick 1 seconds
# Second phase.
transfer T101 A1 A2   13  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
transfer   T0 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI   _   _  _ _ _ _ 1 timestamp_must_be_zero
transfer   T0 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI   _   _  _ _ _ _ _ id_must_not_be_zero
transfer   -0 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI   _   _  _ _ _ _ _ id_must_not_be_int_max
transfer T101 A1 A2   15  T3 U2 U2 U2    _ L1 C1   _   _   _ VOI   _   _  _ _ _ _ _ exists_with_different_flags
transfer T101 A1 A2   14  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount
transfer T101 A1 A2    _  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount
transfer T101 A1 A2   13  T3 U2 U2 U2    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_pending_id
transfer T101 A1 A2   13  T2 U2 U2 U2    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_user_data_128
transfer T101 A1 A2   13  T2 U1 U2 U2    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_user_data_64
transfer T101 A1 A2   13  T2 U1 U1 U2    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_user_data_32
transfer T101 A1 A2   13  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI   _   _  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI BDR   _  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI BDR BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN POS VOI   _ BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _ PEN   _ VOI   _   _  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _   _ VOI BDR   _  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _   _ VOI BDR BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _   _ VOI   _ BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _ POS   _ BDR   _  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _ POS   _ BDR BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _ POS   _   _ BCR  _ _ _ _ _ flags_are_mutually_exclusive
transfer T102 A8 A9   16  T0 U2 U2 U2   50 L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_id_must_not_be_zero
transfer T102 A8 A9   16  -0 U2 U2 U2   50 L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_id_must_not_be_int_max
transfer T102 A8 A9   16 102 U2 U2 U2   50 L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_id_must_be_different
transfer T102 A8 A9   16 103 U2 U2 U2   50 L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ timeout_reserved_for_pending_transfer
commit create_transfers
# `pending_transfer_not_found` is a transient error, T102 cannot be reused:
transfer T102 A8 A9   16 103 U2 U2 U2    _ L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_not_found
transfer T102 A1 A2   13   _ U1 U1 U1    _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ id_already_failed

transfer T103 A8 A9   16  T1 U2 U2 U2    _ L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_not_pending
transfer T103 A8 A9   16  T3 U2 U2 U2    _ L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_has_different_debit_account_id
transfer T103 A1 A9   16  T3 U2 U2 U2    _ L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_has_different_credit_account_id
transfer T103 A1 A2   16  T3 U2 U2 U2    _ L6 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_has_different_ledger
transfer T103 A1 A2   16  T3 U2 U2 U2    _ L1 C7   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_has_different_code
transfer T103 A1 A2   16  T3 U2 U2 U2    _ L1 C1   _   _   _ VOI   _   _  _ _ _ _ _ exceeds_pending_transfer_amount
transfer T103 A1 A2   14  T3 U2 U2 U2    _ L1 C1   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_has_different_amount
transfer T103 A1 A2   13  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ pending_transfer_already_posted
transfer T103 A1 A2   15  T3 U1 U1 U1    _ L1 C1   _   _   _ VOI   _   _  _ _ _ _ _ created
transfer T104 A1 A2   13  T3 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ pending_transfer_already_voided
transfer T104 A1 A2   15  T4 U1 U1 U1    _ L1 C1   _   _   _ VOI   _   _  _ _ _ _ _ pending_transfer_expired
commit create_transfers
# Transfers posted/voided with optional fields must not raise `exists_with_different_*`.
# But transfers posted with posted.amount≠pending.amount may return
# exists_with_different_amount.
transfer T101 A0 A0   14  T2 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount > e.amount
transfer T101 A0 A0   14  T2 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount
transfer T101 A0 A0   12  T2 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount < e.amount

transfer T105 A0 A0    8  T5 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exceeds_pending_transfer_amount // t.amount > p.amount
transfer T105 A0 A0   -0  T5 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ created
transfer T105 A0 A0    7  T5 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists
transfer T105 A0 A0    7  T5 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists // ledger/code = 0
transfer T105 A0 A0   -0  T5 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists // amount = max
transfer T105 A0 A0    8  T5 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount > p.amount
transfer T105 A0 A0    6  T5 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount < e.amount
transfer T105 A0 A0    0  T5 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount

transfer T106 A0 A0   -1  T6 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exceeds_pending_transfer_amount
transfer T106 A0 A0   -0  T6 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
transfer T106 A0 A0   -0  T6 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists
transfer T106 A0 A0    1  T6 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists
transfer T106 A0 A0    2  T6 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount > p.amount
transfer T106 A0 A0    0  T6 U0 U0 U0    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount < p.amount

transfer T107 A0 A0    0  T7 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ created
transfer T107 A0 A0    0  T7 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists
transfer T107 A0 A0    1  T7 U0 U0 U0    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ exists_with_different_amount // t.amount > e.amount
commit create_transfers
# Check balances after resolving.
lookup_account A1  0 36  0  0  _
lookup_account A2  0  0  0 36  _
commit lookup_accounts
# The posted transfer amounts are set to the actual amount posted (which may be less than
# the "client" set as the amount).
lookup_transfer T101 amount 13
lookup_transfer T105 amount 7
lookup_transfer T106 amount 1
lookup_transfer T107 amount 0
commit lookup_transfers
""",
    "create/lookup 2-phase transfers (amount=maxInt)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts
# Posting maxInt(u128) is a pun – it is interpreted as "send full pending amount", which in
# this case is exactly maxInt(u127).
transfer T1 A1 A2   -0   _  _  _  _ _ L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2   -0  T1  _  _  _ _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2   -0  T1  _  _  _ _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ exists
commit create_transfers
# Check balances after resolving.
lookup_account A1  0 -0  0  0 _
lookup_account A2  0  0  0 -0 _
commit lookup_accounts

lookup_transfer T1 amount -0
lookup_transfer T2 amount -0
commit lookup_transfers
""",
    "create/lookup expired transfers": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts
# First phase.
transfer   T1 A1 A2   10   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created // Timeout zero will never expire.
transfer   T2 A1 A2   11   _  _  _  _    1 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T3 A1 A2   12   _  _  _  _    2 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer   T4 A1 A2   13   _  _  _  _    3 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
commit create_transfers
# Check balances before expiration.
lookup_account A1 46  0  0  0  _
lookup_account A2  0  0 46  0  _
commit lookup_accounts
# Check balances after 1s.
tick 1 seconds
lookup_account A1 35  0  0  0  _
lookup_account A2  0  0 35  0  _
commit lookup_accounts
# Check balances after 1s.
tick 1 seconds
lookup_account A1 23  0  0  0  _
lookup_account A2  0  0 23  0  _
commit lookup_accounts
# Check balances after 1s.
tick 1 seconds
lookup_account A1 10  0  0  0  _
lookup_account A2  0  0 10  0  _
commit lookup_accounts
# Second phase.
transfer T101 A1 A2   10  T1 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
transfer T102 A1 A2   11  T2 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ pending_transfer_expired
transfer T103 A1 A2   12  T3 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ pending_transfer_expired
transfer T104 A1 A2   13  T4 U1 U1 U1    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ pending_transfer_expired
commit create_transfers
# Check final balances.
lookup_account A1  0 10  0  0  _
lookup_account A2  0  0  0 10  _
commit lookup_accounts
# Check transfers.
lookup_transfer T101 exists true
lookup_transfer T102 exists false
lookup_transfer T103 exists false
lookup_transfer T104 exists false
commit lookup_transfers
""",
    "create_transfers: empty": """
commit create_transfers
""",
    "create_transfers/lookup_transfers: failed transfer does not exist": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

transfer   T1 A1 A2   15   _  _  _  _    _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer   T2 A1 A2   15   _  _  _  _    _ L0 C1   _   _   _   _   _   _  _ _ _ _ _ ledger_must_not_be_zero
commit create_transfers

lookup_account A1 0 15 0  0  _
lookup_account A2 0  0 0 15  _
commit lookup_accounts

lookup_transfer T1 exists true
lookup_transfer T2 exists false
commit lookup_transfers
""",
    "create_transfers: failed linked-chains are undone": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

transfer   T1 A1 A2   15   _  _  _  _    _ L1 C1 LNK   _   _   _   _   _  _ _ _ _ _ linked_event_failed
transfer   T2 A1 A2   15   _  _  _  _    _ L0 C1   _   _   _   _   _   _  _ _ _ _ _ ledger_must_not_be_zero
commit create_transfers

transfer   T3 A1 A2   15   _  _  _  _    1 L1 C1 LNK PEN   _   _   _   _  _ _ _ _ _ linked_event_failed
transfer   T4 A1 A2   15   _  _  _  _    _ L0 C1   _   _   _   _   _   _  _ _ _ _ _ ledger_must_not_be_zero
commit create_transfers

lookup_account A1 0 0 0 0 _
lookup_account A2 0 0 0 0 _
commit lookup_accounts

lookup_transfer T1 exists false
lookup_transfer T2 exists false
lookup_transfer T3 exists false
lookup_transfer T4 exists false
commit lookup_transfers
""",
    "create_transfers: failed linked-chains are undone within a commit": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 0 0 0 20

transfer   T1 A1 A2   15   _ _   _  _    _ L1 C1 LNK   _   _   _   _   _  _ _ _ _ _ linked_event_failed
transfer   T2 A1 A2    5   _ _   _  _    _ L0 C1   _   _   _   _   _   _  _ _ _ _ _ ledger_must_not_be_zero
transfer   T3 A1 A2   15   _ _   _  _    _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
commit create_transfers

lookup_account A1 0 15 0 20  _
lookup_account A2 0  0 0 15  _
commit lookup_accounts

lookup_transfer T1 exists false
lookup_transfer T2 exists false
lookup_transfer T3 exists true
commit lookup_transfers
""",
    "create_transfers: balancing_debit | balancing_credit (*_must_not_exceed_*)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 1  0 0 10
setup A2 0 10 2  0

transfer   T1 A1 A3  3     _  _  _  _    _ L2 C1   _   _   _   _ BDR   _  _ _ _ _ _ transfer_must_have_the_same_ledger_as_accounts
transfer   T1 A3 A2  3     _  _  _  _    _ L2 C1   _   _   _   _   _ BCR  _ _ _ _ _ transfer_must_have_the_same_ledger_as_accounts
transfer   T1 A1 A3  3     _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T2 A1 A3 13     _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T3 A3 A2  3     _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
transfer   T4 A3 A2 13     _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
transfer   T5 A1 A3  1     _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created // Amount reduced to 0.
transfer   T6 A1 A3  1     _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created // ↑
transfer   T7 A3 A2  1     _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created // ↑
transfer   T8 A1 A2  1     _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created // ↑
transfer   T1 A1 A3    2   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists_with_different_amount // Less than the transfer amount.
transfer   T1 A1 A3    0   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists_with_different_amount // ↑
transfer   T1 A1 A3    3   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists // Greater-than-or-equal-to the transfer amount.
transfer   T1 A1 A3    4   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists // ↑
transfer   T2 A1 A3    6   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists // Equal to the transfer amount.
transfer   T2 A1 A3    0   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exists_with_different_amount // Less than the transfer amount.
transfer   T3 A3 A2    2   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists_with_different_amount // Less than the transfer amount.
transfer   T3 A3 A2    0   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists_with_different_amount // ↑
transfer   T3 A3 A2    3   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists
transfer   T3 A3 A2    4   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists
transfer   T4 A3 A2    5   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists // Greater-than-or-equal-to the transfer amount.
transfer   T4 A3 A2    6   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists // ↑
transfer   T4 A3 A2    0   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exists_with_different_amount // Less than the transfer amount.
commit create_transfers

lookup_account A1 1  9 0 10  _
lookup_account A2 0 10 2  8  _
lookup_account A3 0  8 0  9  _
commit lookup_accounts

lookup_transfer T1 amount 3
lookup_transfer T2 amount 6
lookup_transfer T3 amount 3
lookup_transfer T4 amount 5
lookup_transfer T5 amount 0
lookup_transfer T6 amount 0
lookup_transfer T7 amount 0
lookup_transfer T8 amount 0
commit lookup_transfers
""",
    "create_transfers: balancing_debit | balancing_credit (*_must_not_exceed_*, exceeds_*)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 0 0 0 4
setup A2 0 5 0 0
setup A3 0 4 0 0
setup A4 0 0 0 5

transfer   T1 A1 A2   10   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ exceeds_credits
transfer   T2 A1 A2   10   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T3 A4 A3   10   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ exceeds_debits
transfer   T4 A4 A3   10   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
commit create_transfers

lookup_account A1 0 4 0 4 _
lookup_account A2 0 5 0 4 _
lookup_account A3 0 4 0 4 _
lookup_account A4 0 4 0 5 _
commit lookup_accounts

lookup_transfer T1 exists false
lookup_transfer T2 amount 4
lookup_transfer T3 exists false
lookup_transfer T4 amount 4
commit lookup_transfers
""",
    "create_transfers: balancing_debit | balancing_credit (¬*_must_not_exceed_*)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 1  0 0 10
setup A2 0 10 2  0

transfer   T1 A3 A1   99   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created // Amount reduced to 0.
transfer   T2 A3 A1   99   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created // ↑
transfer   T3 A2 A3   99   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created // ↑
transfer   T4 A1 A3   99   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T5 A1 A3   99   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created // Amount reduced to 0.
transfer   T6 A3 A2   99   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
transfer   T7 A3 A2   99   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created // Amount reduced to 0.
commit create_transfers

lookup_account A1 1  9 0 10 _
lookup_account A2 0 10 2  8 _
lookup_account A3 0  8 0  9 _
commit lookup_accounts

lookup_transfer T1 amount 0
lookup_transfer T2 amount 0
lookup_transfer T3 amount 0
lookup_transfer T4 amount 9
lookup_transfer T5 amount 0
lookup_transfer T6 amount 8
lookup_transfer T7 amount 0
commit lookup_transfers
""",
    "create_transfers: balancing_debit | balancing_credit (amount=0)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 1  0 0 10
setup A2 0 10 2  0
setup A3 0 10 2  0

# Test amount=0 transfers:
transfer   T1 A1 A4    0   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T2 A4 A2    0   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
transfer   T3 A1 A4    0   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created
transfer   T4 A4 A3    0   _  _  _  _    _ L1 C1   _ PEN   _   _   _ BCR  _ _ _ _ _ created
# The respective balancing flag reduces nonzero amounts to zero even though A4 lacks
# must_not_exceed (since its net balance is zero):
transfer   T5 A4 A1    1   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T6 A2 A4    1   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
commit create_transfers

# None of the accounts' balances have changed -- none of the transfers moved any money.
lookup_account A1 1  0 0 10 _
lookup_account A2 0 10 2  0 _
lookup_account A3 0 10 2  0 _
lookup_account A4 0  0 0  0 _
commit lookup_accounts

lookup_transfer T1 amount 0
lookup_transfer T2 amount 0
lookup_transfer T3 amount 0
lookup_transfer T4 amount 0
lookup_transfer T5 amount 0
lookup_transfer T6 amount 0
commit lookup_transfers
""",
    "create_transfers: balancing_debit | balancing_credit (amount=maxInt, balance≈maxInt)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
commit create_accounts

setup A1 0  0 0 -1
setup A4 0 -1 0  0

transfer   T1 A1 A2   -0   _  _  _  _    _ L1 C1   _   _   _   _ BDR   _  _ _ _ _ _ created
transfer   T2 A3 A4   -0   _  _  _  _    _ L1 C1   _   _   _   _   _ BCR  _ _ _ _ _ created
commit create_transfers

lookup_account A1 0 -1  0 -1 _
lookup_account A2 0  0  0 -1 _
lookup_account A3 0 -1  0  0 _
lookup_account A4 0 -1  0 -1 _
commit lookup_accounts

lookup_transfer T1 amount -1
lookup_transfer T2 amount -1
commit lookup_transfers
""",
    "create_transfers: balancing_debit & balancing_credit": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 0  0 0 20
setup A2 0 10 0  0
setup A3 0 99 0  0

transfer   T1 A1 A2    1   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created
transfer   T2 A1 A2   12   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created
transfer   T3 A1 A2    1   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created // Amount reduced to 0.
transfer   T4 A1 A3   12   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created
transfer   T5 A1 A3    1   _  _  _  _    _ L1 C1   _   _   _   _ BDR BCR  _ _ _ _ _ created // Amount reduced to 0.
commit create_transfers

lookup_account A1 0 20 0 20  _
lookup_account A2 0 10 0 10  _
lookup_account A3 0 99 0 10  _
commit lookup_accounts

lookup_transfer T1 amount  1
lookup_transfer T2 amount  9
lookup_transfer T3 amount  0
lookup_transfer T4 amount 10
lookup_transfer T5 amount  0
commit lookup_transfers
""",
    "create_transfers: balancing_debit/balancing_credit + pending": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
commit create_accounts

setup A1 0  0 0 10
setup A2 0 10 0  0

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C1   _ PEN   _   _ BDR   _  _ _ _ _ _ created
transfer   T2 A1 A2   13   _  _  _  _    _ L1 C1   _ PEN   _   _ BDR   _  _ _ _ _ _ created
transfer   T3 A1 A2    1   _  _  _  _    _ L1 C1   _ PEN   _   _ BDR   _  _ _ _ _ _ created // Amount reduced to 0.
commit create_transfers

lookup_account A1 10  0  0 10  _
lookup_account A2  0 10 10  0  _
commit lookup_accounts

transfer   T4 A1 A2    3  T1  _  _  _    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
transfer   T5 A1 A2    5  T2  _  _  _    _ L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
commit create_transfers

lookup_transfer T1 amount  3
lookup_transfer T2 amount  7
lookup_transfer T3 amount  0
lookup_transfer T4 amount  3
lookup_transfer T5 amount  5
commit lookup_transfers
""",
    "create_transfers: multiple debits, single credit, balancing debits (1)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A5  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A6  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 0 0 0 40
setup A2 0 0 0 40
setup A3 0 0 0 21

transfer T1 A4 A5  100   _  _  _  _    0 L1 C1 LNK _ _ _   _   _ _ _ _ _ _ created
transfer T2 A1 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ created
transfer T3 A2 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ created
transfer T4 A3 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ created
transfer T5 A4 A6  100   _  _  _  _    0 L1 C1 LNK _ _ _   _   _ _ _ _ _ _ created
transfer T6 A5 A4   -0   _  _  _  _    0 L1 C1   _ _ _ _   _ BCR _ _ _ _ _ created
commit create_transfers

lookup_account A1 0  40 0  40 _
lookup_account A2 0  40 0  40 _
lookup_account A3 0  20 0  21 _
lookup_account A4 0 200 0 200 _
lookup_account A5 0 100 0 100 _
lookup_account A6 0   0 0 100 _
commit lookup_accounts
""",
    "create_transfers: multiple debits, single credit, balancing debits (2)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A5  0  0  0  0  _  _  _ _ L1 C1   _ D<C   _ _ _ _ _ _ created
account A6  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts

setup A1 0 0 0 40
setup A2 0 0 0 40
setup A3 0 0 0 19

transfer T1 A4 A5  100   _  _  _  _    0 L1 C1 LNK _ _ _   _   _ _ _ _ _ _ linked_event_failed
transfer T2 A1 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ linked_event_failed
transfer T3 A2 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ linked_event_failed
transfer T4 A3 A4  100   _  _  _  _    0 L1 C1 LNK _ _ _ BDR BCR _ _ _ _ _ linked_event_failed
transfer T5 A4 A6  100   _  _  _  _    0 L1 C1 LNK _ _ _   _   _ _ _ _ _ _ linked_event_failed
transfer T6 A5 A4   -0   _  _  _  _    0 L1 C1   _ _ _ _   _ BCR _ _ _ _ _ exceeds_credits
commit create_transfers
""",
    "create_transfers: per-transfer balance invariant (1)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _ C<D _ _ _ _ _ created
commit create_accounts

setup A2 0 40 0 0

transfer T1 A1 A2 41   _  _  _  _    0 L1 C1 LNK   _ _   _   _   _ _ _ _ _ _ linked_event_failed
transfer T2 A2 A3  1   _  _  _  _    0 L1 C1 LNK PEN _   _ BDR   _ _ _ _ _ _ exceeds_debits
transfer T3 A2 A3  0  T2  _  _  _    0 L1 C1   _   _ _ VOI   _   _ _ _ _ _ _ linked_event_failed
commit create_transfers

# Ids failed in a linked chain can be reused, but
# `exceeds_debits` is a transient error, T2 cannot be reused:
transfer T1 A1 A2  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ created
transfer T2 A2 A3  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ id_already_failed
transfer T3 A2 A3  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ created
commit create_transfers

transfer T4 A1 A2 40   _  _  _  _    0 L1 C1 LNK   _ _   _   _   _ _ _ _ _ _ created
transfer T5 A2 A3  1   _  _  _  _    0 L1 C1 LNK PEN _   _ BDR   _ _ _ _ _ _ created
transfer T6 A2 A3  0  T5  _  _  _    0 L1 C1   _   _ _ VOI   _   _ _ _ _ _ _ created
commit create_transfers

lookup_account A1 0 40 0  0 _
lookup_account A2 0 40 0 40 _
lookup_account A3 0  0 0  0 _
commit lookup_accounts
""",
    "create_transfers: per-transfer balance invariant (2)": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   D<C _ _ _ _ _ _ created
commit create_accounts

setup A1 0 0 0 40

transfer T1 A1 A2 41   _  _  _  _    0 L1 C1 LNK   _ _   _   _   _ _ _ _ _ _ linked_event_failed
transfer T2 A3 A1  1   _  _  _  _    0 L1 C1 LNK PEN _   _   _ BCR _ _ _ _ _ exceeds_credits
transfer T3 A3 A1  0  T2  _  _  _    0 L1 C1   _   _ _ VOI   _   _ _ _ _ _ _ linked_event_failed
commit create_transfers

# Ids failed in a linked chain can be reused, but
# `exceeds_credits` is a transient error, T2 cannot be reused:
transfer T1 A1 A2  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ created
transfer T2 A3 A1  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ id_already_failed
transfer T3 A3 A1  0   _  _  _  _    0 L1 C1   _   _ _   _   _   _ _ _ _ _ _ created
commit create_transfers

transfer T4 A1 A2 40   _  _  _  _    0 L1 C1 LNK   _ _   _   _   _ _ _ _ _ _ created
transfer T5 A3 A1  1   _  _  _  _    0 L1 C1 LNK PEN _   _   _ BCR _ _ _ _ _ created
transfer T6 A3 A1  0  T5  _  _  _    0 L1 C1   _   _ _ VOI   _   _ _ _ _ _ _ created
commit create_transfers

lookup_account A1 0 40 0 40 _
lookup_account A2 0  0 0 40 _
lookup_account A3 0  0 0  0 _
commit lookup_accounts
""",
    "imported events: imported batch": """
tick 10 nanoseconds
# The first event determines if the batch is either imported or not.
account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 1 created
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ _   _ _ 0 imported_event_expected
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 2 created
commit create_accounts
account A3  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ _   _ _ 0 created
account A4  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 3 imported_event_not_expected
commit create_accounts

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _ 10 created
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  _   _ _ _  0 imported_event_expected
commit create_transfers
transfer   T3 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  _   _  _ _ 0 created
transfer   T4 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _  _ _ 0 imported_event_not_expected
commit create_transfers
""",
    "imported events: timestamp": """
tick 10 nanoseconds

account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  0 imported_event_timestamp_out_of_range
account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ -1 imported_event_timestamp_out_of_range
account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 99 imported_event_timestamp_must_not_advance
account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  2 created
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  1 imported_event_timestamp_must_not_regress
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  3 created
account A3  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  9 created
commit create_accounts

account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 99 imported_event_timestamp_must_not_advance
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  1 exists
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  3 exists
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  4 exists
account A3  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _  9 exists
commit create_accounts

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  0 imported_event_timestamp_out_of_range
transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _ -1 imported_event_timestamp_out_of_range
transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _ 99 imported_event_timestamp_must_not_advance
transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  2 imported_event_timestamp_must_not_regress // The same timestamp as the dr account.
transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  3 imported_event_timestamp_must_not_regress // The same timestamp as the cr account.
transfer   T1 A3 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  4 imported_event_timestamp_must_postdate_debit_account
transfer   T1 A1 A3    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  4 imported_event_timestamp_must_postdate_credit_account
transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  4 created
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  3 imported_event_timestamp_must_not_regress
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  5 created
commit create_transfers

transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _ 99 imported_event_timestamp_must_not_advance
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  4 exists // T2 `exists` regardless different timestamps.
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  5 exists
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _  6 exists
commit create_transfers

transfer   T3 A1 A2    3   _  _  _  _    _ L1 C2   _   _   _   _   _   _  IMP _ _ _ 10 created
commit create_transfers

account A4  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 10 imported_event_timestamp_must_not_regress // The same timestamp as a transfer.
commit create_accounts
""",
    "imported events: pending transfers": """
tick 10 nanoseconds

account A1  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 1 created
account A2  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 2 created
commit create_accounts

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   _     _   _   _   _   _  IMP _ _ _ 3 created
transfer   T2 A1 A2    4   _  _  _  _    1 L1 C2   _     PEN _   _   _   _  IMP _ _ _ 4 imported_event_timeout_must_be_zero
transfer   T2 A1 A2    4   _  _  _  _    0 L1 C2   _     PEN _   _   _   _  IMP _ _ _ 4 created
commit create_transfers

lookup_account A1 4  3  0  0  _
lookup_account A2 0  0  4  3  _
commit lookup_accounts

transfer   T3 A1 A2    4  T2 _  _   _    _ L1 C2   _     _   POS _   _   _  IMP _ _ _ 5 created
commit create_transfers

lookup_account A1 0  7  0  0  _
lookup_account A2 0  0  0  7  _
commit lookup_accounts

lookup_transfer T1 timestamp 3
lookup_transfer T2 timestamp 4
lookup_transfer T3 timestamp 5
commit lookup_transfers
""",
    "imported events: linked chain": """
tick 10 nanoseconds

account A1  0  0  0  0  _  _  _ _ L1 C1   LNK  _  _  _ IMP _ _ 1 linked_event_failed
account A2  0  0  0  0  _  _  _ _ L1 C1   LNK  _  _  _ IMP _ _ 2 linked_event_failed
account A3  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 0 imported_event_timestamp_out_of_range
commit create_accounts

account A1  0  0  0  0  _  _  _ _ L1 C1   LNK  _  _  _ IMP _ _ 1 created
account A2  0  0  0  0  _  _  _ _ L1 C1   LNK  _  _  _ IMP _ _ 2 created
account A3  0  0  0  0  _  _  _ _ L1 C1   _    _  _  _ IMP _ _ 3 created
commit create_accounts

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   LNK   _   _   _   _   _  IMP _ _ _ 4 linked_event_failed
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   LNK   _   _   _   _   _  IMP _ _ _ 5 linked_event_failed
transfer   T3 A1 A2    3   _  _  _  _    _ L1 C2   _     _   _   _   _   _  IMP _ _ _ 0 imported_event_timestamp_out_of_range
commit create_transfers

transfer   T1 A1 A2    3   _  _  _  _    _ L1 C2   LNK   _   _   _   _   _  IMP _ _ _ 4 created
transfer   T2 A1 A2    3   _  _  _  _    _ L1 C2   LNK   _   _   _   _   _  IMP _ _ _ 5 created
transfer   T3 A1 A2    3   _  _  _  _    _ L1 C2   _     _   _   _   _   _  IMP _ _ _ 6 created
commit create_transfers

lookup_account A1 0  9  0  0  _
lookup_account A2 0  0  0  9  _
lookup_account A3 0  0  0  0  _
commit lookup_accounts

lookup_transfer T1 timestamp 4
lookup_transfer T2 timestamp 5
lookup_transfer T3 timestamp 6
commit lookup_transfers
""",
    "create_accounts: closed accounts": """
# Accounts can be created already closed.
account A1  0  0  0  0  _  _  _ _ L1 C1   _  _  _ _ _  CLSD _ _ created
commit create_accounts

lookup_account A1  0  0  0   0  CLSD
commit lookup_accounts
""",
    "create_transfers: closing accounts": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _  _  _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _  _  _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _  _  _ _ _ _ _ _ created
commit create_accounts

# Closing the debit account.
transfer   T1  A1 A2   15   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ created
transfer   T2  A1 A2    0   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  CDR _   _ _ closing_transfer_must_be_pending
transfer   T2  A1 A2    0   _  _   _  _    0 L1 C1   _   PEN _   _   _   _  _  CDR _   _ _ created
transfer   T2  A1 A2    0   _  _   _  _    0 L1 C1   _   PEN _   _   _   _  _  CDR _   _ _ exists
# `debit_account_already_closed` is a transient error, T3 cannot be reused:
transfer   T3  A1 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ debit_account_already_closed
transfer   T3  A1 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ id_already_failed
# `credit_account_already_closed` is a transient error, T4 cannot be reused:
transfer   T4  A2 A1    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ credit_account_already_closed
transfer   T4  A1 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ id_already_failed
commit create_transfers

lookup_account A1  0 15  0   0  CLSD
lookup_account A2  0  0  0  15  _
commit lookup_accounts
# `debit_account_already_closed` is a transient error, T5 cannot be reused:
transfer   T5  A1 A2    0   T2 _   _  _    _ L1 C1   _   _   POS _   _   _  _  _   _   _ _ debit_account_already_closed
transfer   T5  A1 A2    0   T2 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ id_already_failed

transfer   T6  A1 A2    0   T2 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ created // Re-opening the account.
transfer   T6  A1 A2    0   T2 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ exists
transfer   T7  A1 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ created
commit create_transfers

lookup_account A1  0 20  0   0  _
lookup_account A2  0  0  0  20  _
commit lookup_accounts

# Closing the credit account with a timeout.
# Pending transfer can be voided, but not posted in a closed account.
transfer   T8  A1 A2   10   _  _   _  _    1 L1 C1   _   PEN _   _   _   _  _  _   _   _ _ created
transfer   T9  A1 A2   10   _  _   _  _    0 L1 C1   _   PEN _   _   _   _  _  _   _   _ _ created
transfer   T10 A1 A2    0   _  _   _  _    2 L1 C1   _   PEN _   _   _   _  _  _   CCR _ _ created
transfer   T10 A1 A2    0   _  _   _  _    2 L1 C1   _   PEN _   _   _   _  _  _   CCR _ _ exists
# `credit_account_already_closed` is a transient error, T11 cannot be reused:
transfer   T11 A1 A2   10   T9 _   _  _    _ L1 C1   _   _   POS _   _   _  _  _   _   _ _ credit_account_already_closed
transfer   T11 A1 A2   10   T9 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ id_already_failed

transfer   T12 A1 A2   10   T9 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ created
transfer   T12 A1 A2   10   T9 _   _  _    _ L1 C1   _   _   _   VOI _   _  _  _   _   _ _ exists
commit create_transfers

lookup_account A1 10 20  0   0  _
lookup_account A2  0  0 10  20  CLSD
commit lookup_accounts

# Pending balance can expire for closed accounts.
tick 1 seconds
lookup_account A1  0 20  0   0  _
lookup_account A2  0  0  0  20  CLSD
commit lookup_accounts

# Pending closing accounts can expire after the timeout.
tick 1 seconds
lookup_account A1  0 20  0   0  _
lookup_account A2  0  0  0  20  _
commit lookup_accounts

# Closing both accounts.
transfer   T13  A1 A2    0   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  CDR CCR _ _ closing_transfer_must_be_pending
transfer   T13  A1 A2    0   _  _   _  _    0 L1 C1   _   PEN _   _   _   _  _  CDR CCR _ _ created
transfer   T13  A1 A2    0   _  _   _  _    0 L1 C1   _   PEN _   _   _   _  _  CDR CCR _ _ exists
# `debit_account_already_closed` is a transient error, T14 cannot be reused:
transfer   T14  A1 A3    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ debit_account_already_closed
transfer   T14  A1 A3    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ id_already_failed
# `credit_account_already_closed` is a transient error, T15 cannot be reused:
transfer   T15  A3 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ credit_account_already_closed
transfer   T15  A3 A2    5   _  _   _  _    _ L1 C1   _   _   _   _   _   _  _  _   _   _ _ id_already_failed
commit create_transfers

lookup_account A1  0 20  0   0  CLSD
lookup_account A2  0  0  0  20  CLSD
commit lookup_accounts

# Cannot close an already closed account.
# `debit_account_already_closed` is a transient error, T16 cannot be reused:
transfer   T16 A1 A3    0   _  _   _  _    0 L1 C1   _   PEN   _   _   _   _  _  CDR _   _ _ debit_account_already_closed
transfer   T16 A1 A3    0   _  _   _  _    0 L1 C1   _   PEN   _   _   _   _  _  CDR _   _ _ id_already_failed
# `credit_account_already_closed` is a transient error, T17 cannot be reused:
transfer   T17 A3 A2    0   _  _   _  _    0 L1 C1   _   PEN   _   _   _   _  _  _   CCR _ _ credit_account_already_closed
transfer   T17 A3 A2    0   _  _   _  _    0 L1 C1   _   PEN   _   _   _   _  _  _   CCR _ _ id_already_failed
commit create_transfers
""",
    "get_account_transfers: single-phase": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _ _ _ _ _ _ created
commit create_accounts

transfer T1 A1 A2   10   _  U1000  U10  U1 _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer T2 A2 A1   11   _  U1001  U10  U2 _ L1 C2   _   _   _   _   _   _  _ _ _ _ _ created
transfer T3 A1 A2   12   _  U1000  U20  U2 _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer T4 A2 A1   13   _  U1001  U20  U1 _ L1 C2   _   _   _   _   _   _  _ _ _ _ _ created
commit create_transfers

# Debits + credits, chronological.
get_account_transfers A1 _ _ _ _ _  _ 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T2
get_account_transfers_result T3
get_account_transfers_result T4
commit get_account_transfers

# Debits + credits, limit=2.
get_account_transfers A1 _ _ _ _  _  _  2 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T2
commit get_account_transfers

# Debits + credits, timestamp_min>0.
get_account_transfers A1 _ _ _ _  T3 _ 10 DR CR  _
get_account_transfers_result T3
get_account_transfers_result T4
commit get_account_transfers

# Debits + credits, timestamp_max>0.
get_account_transfers A1 _ _ _ _  _ T2 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T2
commit get_account_transfers

# Debits + credits, 0 < timestamp_min ≤ timestamp_max.
get_account_transfers A1 _ _ _ _ T2 T3 10 DR CR  _
get_account_transfers_result T2
get_account_transfers_result T3
commit get_account_transfers

# Debits + credits, reverse-chronological.
get_account_transfers A1 _ _ _ _  _  _ 10 DR CR REV
get_account_transfers_result T4
get_account_transfers_result T3
get_account_transfers_result T2
get_account_transfers_result T1
commit get_account_transfers

# Debits only.
get_account_transfers A1 _ _ _ _  _  _ 10 DR  _  _
get_account_transfers_result T1
get_account_transfers_result T3
commit get_account_transfers

# Credits only.
get_account_transfers A1 _ _ _ _  _  _ 10  _ CR  _
get_account_transfers_result T2
get_account_transfers_result T4
commit get_account_transfers

# Debits + credits + user_data_128, chronological.
get_account_transfers A1 U1001 _ _ _ _  _ 10 DR CR  _
get_account_transfers_result T2
get_account_transfers_result T4
commit get_account_transfers

# Debits + credits + user_data_64, chronological.
get_account_transfers A1 _ U10 _ _ _  _ 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T2
commit get_account_transfers

# Debits + credits + user_data_32, chronological.
get_account_transfers A1 _ _ U1 _ _  _ 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T4
commit get_account_transfers

# Debits + credits + code, chronological.
get_account_transfers A1 _ _ _ C1 _  _ 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T3
commit get_account_transfers

# Debits + credits + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_transfers A1 U1000 U10 U1 C1 T1 T3 10 DR CR  _
get_account_transfers_result T1
commit get_account_transfers

# Debits only + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_transfers A1 U1000 U10 U1 C1 T1 T3 10 DR _  _
get_account_transfers_result T1
commit get_account_transfers

# Credits only + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_transfers A2 U1000 U10 U1 C1 T1 T3 10 _ CR  _
get_account_transfers_result T1
commit get_account_transfers

# Not found.
get_account_transfers A1 U1000 U20 U2 C2 _ _ 10 DR CR  _
commit get_account_transfers
""",
    "get_account_transfers: two-phase": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
commit create_accounts

transfer T1 A1 A2    2   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2    1  T1  _  _  _    0 L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
commit create_transfers

get_account_transfers A1 _ _ _ _ _ _ 10 DR CR  _
get_account_transfers_result T1
get_account_transfers_result T2
commit get_account_transfers
""",
    "get_account_transfers: invalid filter": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _ _ _ _ _ _ created
commit create_accounts

transfer T1 A1 A2    2   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2    1  T1  _  _  _    0 L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
commit create_transfers

# Invalid account.
get_account_transfers A3 _ _ _ _  _  _  10 DR CR _
commit get_account_transfers // Empty result.

# Invalid filter flags.
get_account_transfers A1 _ _ _ _  _  _  10 _  _  _
commit get_account_transfers // Empty result.

# Invalid timestamp_min > timestamp_max.
get_account_transfers A1 _ _ _ _  T2 T1 10 DR CR _
commit get_account_transfers // Empty result.

# Invalid limit.
get_account_transfers A1 _ _ _ _  _   _  0 DR CR _
commit get_account_transfers // Empty result.

# Success.
get_account_transfers A1 _ _ _ C1 _   _ 10 DR CR _
get_account_transfers_result T1
get_account_transfers_result T2
commit get_account_transfers
""",
    "get_account_balances: single-phase": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
commit create_accounts

transfer T1 A1 A2   10   _  U1000  U10  U1 _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer T2 A2 A1   11   _  U1001  U10  U2 _ L1 C2   _   _   _   _   _   _  _ _ _ _ _ created
transfer T3 A1 A2   12   _  U1000  U20  U2 _ L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer T4 A2 A1   13   _  U1001  U20  U1 _ L1 C2   _   _   _   _   _   _  _ _ _ _ _ created
commit create_transfers

# Debits + credits, chronological.
get_account_balances A1 _ _ _ _  _  _ 10 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T2 0 10 0 11
get_account_balances_result T3 0 22 0 11
get_account_balances_result T4 0 22 0 24
commit get_account_balances

# Debits + credits, limit=2.
get_account_balances A1 _ _ _ _  _  _ 2 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T2 0 10 0 11
commit get_account_balances

# Debits + credits, timestamp_min>0.
get_account_balances A1 _ _ _ _  T3 _ 10 DR CR  _
get_account_balances_result T3 0 22 0 11
get_account_balances_result T4 0 22 0 24
commit get_account_balances

# Debits + credits, timestamp_max>0.
get_account_balances A1 _ _ _ _  _ T2 10 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T2 0 10 0 11
commit get_account_balances

# Debits + credits, 0 < timestamp_min ≤ timestamp_max.
get_account_balances A1 _ _ _ _ T2 T3 10 DR CR  _
get_account_balances_result T2 0 10 0 11
get_account_balances_result T3 0 22 0 11
commit get_account_balances

# Debits + credits, reverse-chronological.
get_account_balances A1 _ _ _ _  _  _ 10 DR CR REV
get_account_balances_result T4 0 22 0 24
get_account_balances_result T3 0 22 0 11
get_account_balances_result T2 0 10 0 11
get_account_balances_result T1 0 10 0  0
commit get_account_balances

# Debits only.
get_account_balances A1 _ _ _ _  _  _ 10 DR  _  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T3 0 22 0 11
commit get_account_balances

# Credits only.
get_account_balances A1 _ _ _ _  _  _ 10  _ CR  _
get_account_balances_result T2 0 10 0 11
get_account_balances_result T4 0 22 0 24
commit get_account_balances

# Debits + credits + user_data_128, chronological.
get_account_balances A1 U1001 _ _ _ _  _ 10 DR CR  _
get_account_balances_result T2 0 10 0 11
get_account_balances_result T4 0 22 0 24
commit get_account_balances

# Debits + credits + user_data_64, chronological.
get_account_balances A1 _ U10 _ _ _  _ 10 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T2 0 10 0 11
commit get_account_balances

# Debits + credits + user_data_32, chronological.
get_account_balances A1 _ _ U1 _ _  _ 10 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T4 0 22 0 24
commit get_account_balances

# Debits + credits + code, chronological.
get_account_balances A1 _ _ _ C1 _  _ 10 DR CR  _
get_account_balances_result T1 0 10 0  0
get_account_balances_result T3 0 22 0 11
commit get_account_balances

# Debits + credits + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_balances A1 U1000 U10 U1 C1 T1 T3 10 DR CR  _
get_account_balances_result T1 0 10 0  0
commit get_account_balances

# Debits only + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_balances A1 U1000 U10 U1 C1 T1 T3 10 DR _  _
get_account_balances_result T1 0 10 0  0
commit get_account_balances

# Credits only + all filters, 0 < timestamp_min ≤ timestamp_max, chronological.
get_account_balances A2 U1000 U10 U1 C1 T1 T3 10 _ CR  _
get_account_balances_result T1 0  0 0  10
commit get_account_balances

# Not found.
get_account_balances A1 U1000 U20 U2 C2 _ _ 10 DR CR  _
commit get_account_balances
""",
    "get_account_balances: two-phase": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
commit create_accounts

transfer T1 A1 A2    1   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2    1  T1  _  _  _    0 L1 C1   _   _ POS   _   _   _  _ _ _ _ _ created
commit create_transfers

get_account_balances A1 _ _ _ _ _ _ 10 DR CR  _
get_account_balances_result T1 1 0 0 0
get_account_balances_result T2 0 1 0 0
commit get_account_balances
""",
    "get_account_balances: invalid filter": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _ _ _ HIST _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _ _ _    _ _ _ _ _ created
commit create_accounts

transfer T1 A1 A2    2   _  _  _  _    0 L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
transfer T2 A1 A2    1   _  _  _  _    0 L1 C1   _   _   _   _   _   _  _ _ _ _ _ created
commit create_transfers

# Invalid account.
get_account_balances A3 _ _ _  _ _  _  10 DR CR _
commit get_account_balances // Empty result.

# Account without flags.history.
get_account_balances A2 _ _ _  _ _  _  10 DR CR _
commit get_account_balances // Empty result.

# Invalid filter flags.
get_account_balances A1 _ _ _  _ _  _  10 _  _  _
commit get_account_balances // Empty result.

# Invalid timestamp_min > timestamp_max.
get_account_balances A1 _ _ _  _ T2 T1 10 DR CR _
commit get_account_balances // Empty result.

# Invalid limit.
get_account_balances A1 _ _ _  _ _   _  0 DR CR _
commit get_account_balances // Empty result.

# Success.
get_account_balances A1 _ _ _ C1 _  _ 10 DR CR  _
get_account_balances_result T1 0 2 0 0
get_account_balances_result T2 0 3 0 0
commit get_account_balances
""",
    "query_accounts": """
account A1  0  0  0  0 U1000 U10 U1 _ L1 C1 _   _   _ _ _ _ _ _ created
account A2  0  0  0  0 U1000 U11 U2 _ L2 C2 _   _   _ _ _ _ _ _ created
account A3  0  0  0  0 U1000 U10 U3 _ L3 C3 _   _   _ _ _ _ _ _ created
account A4  0  0  0  0 U1000 U11 U4 _ L4 C4 _   _   _ _ _ _ _ _ created
account A5  0  0  0  0 U2000 U10 U1 _ L3 C5 _   _   _ _ _ _ _ _ created
account A6  0  0  0  0 U2000 U11 U2 _ L2 C6 _   _   _ _ _ _ _ _ created
account A7  0  0  0  0 U2000 U10 U3 _ L1 C7 _   _   _ _ _ _ _ _ created
account A8  0  0  0  0 U1000 U10 U1 _ L1 C1 _   _   _ _ _ _ _ _ created
commit create_accounts
# WHERE user_data_128=1000:
query_accounts U1000 U0 U0 L0 C0 _ _ L-0 _
query_accounts_result A1 _
query_accounts_result A2 _
query_accounts_result A3 _
query_accounts_result A4 _
query_accounts_result A8 _
commit query_accounts
# WHERE user_data_128=1000 ORDER BY DESC:
query_accounts U1000 U0 U0 L0 C0 _ _ L-0 REV
query_accounts_result A8 _
query_accounts_result A4 _
query_accounts_result A3 _
query_accounts_result A2 _
query_accounts_result A1 _
commit query_accounts
# WHERE user_data_64=10 AND user_data_32=3
query_accounts U0 U10 U3 L0 C0 _ _ L-0 _
query_accounts_result A3 _
query_accounts_result A7 _
commit query_accounts
# WHERE user_data_64=10 AND user_data_32=3 ORDER BY DESC:
query_accounts U0 U10 U3 L0 C0 _ _ L-0 REV
query_accounts_result A7 _
query_accounts_result A3 _
commit query_accounts
# WHERE user_data_64=11 AND user_data_32=2 AND code=2:
query_accounts U0 U11 U2 L2 C0 _ _ L-0 _
query_accounts_result A2 _
query_accounts_result A6 _
commit query_accounts
# WHERE user_data_64=11 AND user_data_32=2 AND code=2 ORDER BY DESC:
query_accounts U0 U11 U2 L2 C0 _ _ L-0 REV
query_accounts_result A6 _
query_accounts_result A2 _
commit query_accounts
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=1:
query_accounts U1000 U10 U1 L1 C1 _ _ L-0 _
query_accounts_result A1 _
query_accounts_result A8 _
commit query_accounts
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=1 ORDER BY DESC:
query_accounts U1000 U10 U1 L1 C1 _ _ L-0 REV
query_accounts_result A8 _
query_accounts_result A1 _
commit query_accounts
# WHERE user_data_128=1000 AND timestamp >= A3.timestamp:
query_accounts U1000 U0 U0 L0 C0 A3 _ L-0 _
query_accounts_result A3 _
query_accounts_result A4 _
query_accounts_result A8 _
commit query_accounts
# WHERE user_data_128=1000 AND timestamp <= A3.timestamp:
query_accounts U1000 U0 U0 L0 C0 _ A3 L-0 _
query_accounts_result A1 _
query_accounts_result A2 _
query_accounts_result A3 _
commit query_accounts
# WHERE user_data_128=1000 AND timestamp BETWEEN A2.timestamp AND A4.timestamp:
query_accounts U1000 U0 U0 L0 C0 A2 A4 L-0 _
query_accounts_result A2 _
query_accounts_result A3 _
query_accounts_result A4 _
commit query_accounts
# SELECT * :
query_accounts U0 U0 U0 L0 C0 _ _ L-0 _
query_accounts_result A1 _
query_accounts_result A2 _
query_accounts_result A3 _
query_accounts_result A4 _
query_accounts_result A5 _
query_accounts_result A6 _
query_accounts_result A7 _
query_accounts_result A8 _
commit query_accounts
# SELECT * ORDER BY DESC:
query_accounts U0 U0 U0 L0 C0 _ _ L-0 REV
query_accounts_result A8 _
query_accounts_result A7 _
query_accounts_result A6 _
query_accounts_result A5 _
query_accounts_result A4 _
query_accounts_result A3 _
query_accounts_result A2 _
query_accounts_result A1 _
commit query_accounts
# SELECT * WHERE timestamp >= A2.timestamp LIMIT 3:
query_accounts U0 U0 U0 L0 C0 A2 _ L3 _
query_accounts_result A2 _
query_accounts_result A3 _
query_accounts_result A4 _
commit query_accounts
# SELECT * LIMIT 1:
query_accounts U0 U0 U0 L0 C0 _ _ L1 _
query_accounts_result A1 _
commit query_accounts
# SELECT * ORDER BY DESC LIMIT 1:
query_accounts U0 U0 U0 L0 C0 _ _ L1 REV
query_accounts_result A8 _
commit query_accounts
# NOT FOUND:
# SELECT * LIMIT 0:
query_accounts U0 U0 U0 L0 C0 _ _ L0 _
commit query_accounts
# WHERE user_data_128=3000
query_accounts U3000 U0 U0 L0 C0 _ _ L-0 _
commit query_accounts
# WHERE user_data_128=1000 AND code=5
query_accounts U1000 U0 U0 L0 C5 _ _ L-0 _
commit query_accounts
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=2:
query_accounts U1000 U10 U1 L1 C2 _ _ L-0 _
commit query_accounts
# WHERE user_data_128=1000 AND timestamp BETWEEN A5.timestamp AND A7.timestamp:
query_accounts U1000 U0 U0 L0 C0 A5 A7 L-0 _
commit query_accounts
""",
    "query_transfers": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L2 C1   _   _   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L2 C1   _   _   _ _ _ _ _ _ created
commit create_accounts
# Creating transfers:
transfer T1 A1 A2    0  _ U1000 U10 U1 _ L1 C1 _ _ _ _ _ _ _ _ _ _ _ created
transfer T2 A3 A4   11  _ U1000 U11 U2 _ L2 C2 _ _ _ _ _ _ _ _ _ _ _ created
transfer T3 A2 A1   12  _ U1000 U10 U3 _ L1 C3 _ _ _ _ _ _ _ _ _ _ _ created
transfer T4 A4 A3   13  _ U1000 U11 U4 _ L2 C4 _ _ _ _ _ _ _ _ _ _ _ created
transfer T5 A2 A1   14  _ U2000 U10 U1 _ L1 C5 _ _ _ _ _ _ _ _ _ _ _ created
transfer T6 A4 A3   15  _ U2000 U11 U2 _ L2 C6 _ _ _ _ _ _ _ _ _ _ _ created
transfer T7 A1 A2   16  _ U2000 U10 U3 _ L1 C7 _ _ _ _ _ _ _ _ _ _ _ created
transfer T8 A2 A1   17  _ U1000 U10 U1 _ L1 C1 _ _ _ _ _ _ _ _ _ _ _ created
commit create_transfers
# WHERE user_data_128=1000:
query_transfers U1000 U0 U0 L0 C0 _ _ L-0 _
query_transfers_result T1
query_transfers_result T2
query_transfers_result T3
query_transfers_result T4
query_transfers_result T8
commit query_transfers
# WHERE user_data_128=1000 ORDER BY DESC:
query_transfers U1000 U0 U0 L0 C0 _ _ L-0 REV
query_transfers_result T8
query_transfers_result T4
query_transfers_result T3
query_transfers_result T2
query_transfers_result T1
commit query_transfers
# WHERE user_data_64=10 AND user_data_32=3
query_transfers U0 U10 U3 L0 C0 _ _ L-0 _
query_transfers_result T3
query_transfers_result T7
commit query_transfers
# WHERE user_data_64=10 AND user_data_32=3 ORDER BY DESC:
query_transfers U0 U10 U3 L0 C0 _ _ L-0 REV
query_transfers_result T7
query_transfers_result T3
commit query_transfers
# WHERE user_data_64=11 AND user_data_32=2 AND code=2:
query_transfers U0 U11 U2 L2 C0 _ _ L-0 _
query_transfers_result T2
query_transfers_result T6
commit query_transfers
# WHERE user_data_64=11 AND user_data_32=2 AND code=2 ORDER BY DESC:
query_transfers U0 U11 U2 L2 C0 _ _ L-0 REV
query_transfers_result T6
query_transfers_result T2
commit query_transfers
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=1:
query_transfers U1000 U10 U1 L1 C1 _ _ L-0 _
query_transfers_result T1
query_transfers_result T8
commit query_transfers
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=1 ORDER BY DESC:
query_transfers U1000 U10 U1 L1 C1 _ _ L-0 REV
query_transfers_result T8
query_transfers_result T1
commit query_transfers
# WHERE user_data_128=1000 AND timestamp >= T3.timestamp:
query_transfers U1000 U0 U0 L0 C0 A3 _ L-0 _
query_transfers_result T3
query_transfers_result T4
query_transfers_result T8
commit query_transfers
# WHERE user_data_128=1000 AND timestamp <= T3.timestamp:
query_transfers U1000 U0 U0 L0 C0 _ A3 L-0 _
query_transfers_result T1
query_transfers_result T2
query_transfers_result T3
commit query_transfers
# WHERE user_data_128=1000 AND timestamp BETWEEN T2.timestamp AND T4.timestamp:
query_transfers U1000 U0 U0 L0 C0 A2 A4 L-0 _
query_transfers_result T2
query_transfers_result T3
query_transfers_result T4
commit query_transfers
# SELECT * :
query_transfers U0 U0 U0 L0 C0 _ _ L-0 _
query_transfers_result T1
query_transfers_result T2
query_transfers_result T3
query_transfers_result T4
query_transfers_result T5
query_transfers_result T6
query_transfers_result T7
query_transfers_result T8
commit query_transfers
# SELECT * ORDER BY DESC:
query_transfers U0 U0 U0 L0 C0 _ _ L-0 REV
query_transfers_result T8
query_transfers_result T7
query_transfers_result T6
query_transfers_result T5
query_transfers_result T4
query_transfers_result T3
query_transfers_result T2
query_transfers_result T1
commit query_transfers
# SELECT * WHERE timestamp >= A2.timestamp LIMIT 3:
query_transfers U0 U0 U0 L0 C0 A2 _ L3 _
query_transfers_result T2
query_transfers_result T3
query_transfers_result T4
commit query_transfers
# SELECT * LIMIT 1:
query_transfers U0 U0 U0 L0 C0 _ _ L1 _
query_transfers_result T1
commit query_transfers
# SELECT * ORDER BY DESC LIMIT 1:
query_transfers U0 U0 U0 L0 C0 _ _ L1 REV
query_transfers_result T8
commit query_transfers
# NOT FOUND:
# SELECT * LIMIT 0:
query_transfers U0 U0 U0 L0 C0 _ _ L0 _
commit query_transfers
# WHERE user_data_128=3000
query_transfers U3000 U0 U0 L0 C0 _ _ L-0 _
commit query_transfers
# WHERE user_data_128=1000 AND code=5
query_transfers U1000 U0 U0 L0 C5 _ _ L-0 _
commit query_transfers
# WHERE user_data_128=1000 AND user_data_64=10
# AND user_data_32=1 AND ledger=1 AND code=2:
query_transfers U1000 U10 U1 L1 C2 _ _ L-0 _
commit query_transfers
# WHERE user_data_128=1000 AND timestamp BETWEEN T5.timestamp AND T7.timestamp:
query_transfers U1000 U0 U0 L0 C0 A5 A7 L-0 _
commit query_transfers
""",
    "get_change_events": """
account A1  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A2  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A3  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
account A4  0  0  0  0  _  _  _ _ L1 C1   _   _   _ _ _ _ _ _ created
commit create_accounts
# First phase.
transfer   T1 A1 A2   10   _  _  _  _    _ L1 C1   _   _   _   _   _   _  _   _   _ _ _ created // Not pending.
transfer   T2 A1 A2   11   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _   _   _ _ _ created // Timeout zero will never expire.
transfer   T3 A1 A2   12   _  _  _  _    1 L1 C1   _ PEN   _   _   _   _  _   _   _ _ _ created // Will expire.
transfer   T4 A1 A2   13   _  _  _  _    2 L1 C1   _ PEN   _   _   _   _  _   _   _ _ _ created // Will be posted.
transfer   T5 A1 A2   14   _  _  _  _    2 L1 C1   _ PEN   _   _   _   _  _   _   _ _ _ created // Will be voided.
# Closes the debit and credit accounts.
transfer   T6 A3 A1    0   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _ CDR   _ _ _ created
transfer   T7 A1 A4    0   _  _  _  _    0 L1 C1   _ PEN   _   _   _   _  _   _ CCR _ _ created
commit create_transfers
# Bump the state machine time in +1s for testing the timeout expiration.
tick 1 seconds
# Second phase.
transfer   T14 A0 A0   -0  T4  _  _  _    _ L0 C0   _   _ POS   _   _   _  _ _ _ _ _ created // Posts T4.
transfer   T15 A0 A0    0  T5  _  _  _    _ L0 C0   _   _   _ VOI   _   _  _ _ _ _ _ created // Voids T5.
# Reopens the debit and credit accounts.
transfer   T16 A0 A0    0  T6  _  _  _    _ L0 C0   _   _   _ VOI   _   _  _ _ _ _ _ created
transfer   T17 A0 A0    0  T7  _  _  _    _ L0 C0   _   _   _ VOI   _   _  _ _ _ _ _ created
commit create_transfers
# Check the events.
get_change_events _ T6 5
get_change_events_result   _  T1 10  _ D1  0 10  0  0 _ C2  0  0  0 10 _
get_change_events_result PEN  T2 11  _ D1 11 10  0  0 _ C2  0  0 11 10 _
get_change_events_result PEN  T3 12  _ D1 23 10  0  0 _ C2  0  0 23 10 _
get_change_events_result PEN  T4 13  _ D1 36 10  0  0 _ C2  0  0 36 10 _
get_change_events_result PEN  T5 14  _ D1 50 10  0  0 _ C2  0  0 50 10 _
commit get_change_events

get_change_events T6 _ -0
get_change_events_result PEN  T6  0  _ D3  0  0  0  0 CLSD A1 50 10  0  0 _
get_change_events_result PEN  T7  0  _ D1 50 10  0  0    _ C4  0  0  0  0 CLSD
get_change_events_result EXP   _ 12 T3 D1 38 10  0  0    _ C2  0  0 38 10 _
get_change_events_result POS T14 13 T4 D1 25 23  0  0    _ C2  0  0 25 23 _
get_change_events_result VOI T15 14 T5 D1 11 23  0  0    _ C2  0  0 11 23 _
get_change_events_result VOI T16  0 T6 D3  0  0  0  0    _ C1 11 23  0  0 _
get_change_events_result VOI T17  0 T7 D1 11 23  0  0    _ C4  0  0  0  0 _
commit get_change_events
""",
}
