"""The writer's socket protocol: which ledger calls cross it, and how failures come back.

Both ends are Colony processes started by one `colony serve`, on one machine: messages are
pickled tuples over `multiprocessing.connection`, whose handshake proves the caller knows the
secret the parent process handed to its workers.
"""

from __future__ import annotations

from typing import Final

# The ledger calls a follower may make. Anything else is refused, whatever the caller sends.
CALLS: Final = frozenset(
    {
        "create_accounts",
        "create_transfers",
        "pulse",
        "lookup_accounts",
        "lookup_balances",
        "lookup_transfers",
        "pending_status",
        "expired_at",
        "statement",
        "balance_at",
        "totals",
        "all_accounts",
        "all_transfers",
        "snapshot_for_verify",
        "journal_seq",
        "ping",
        # Claims on Idempotency-Keys, held in the writer's memory for every worker (ADR 0037).
        "claim_key",
        "drop_key",
    }
)

# Calls one message from a follower carries at most (what queued while the last was sent).
calls_per_message_max = 512

# A message is a list of calls `(id, name, args, kwargs)`; the writer answers each call with
# `(id, kind, value)`, several to a message when they finish together.

# How a failure crosses: its kind, then the message. The follower raises the same kind.
FAILURE_INVALID_INPUT: Final = "invalid_input"
FAILURE_STORAGE: Final = "storage_unavailable"
FAILURE_BUG: Final = "bug"
