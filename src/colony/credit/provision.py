"""A credit product's loss provision on the ledger (ADR 0050, docs/adr/0057): per product and
currency, a contra-asset (`loss_provision`) raised or released each night to the sum of what
its open debts' overdue buckets call for, against `provision_expense` (415). The pay-later
line and loans to merchants provide through here; cash loans' daily run keeps its own.

A day's move has the id of (provision account, day), so a night run again finds it made and
moves nothing twice; a night whose books changed after an earlier run of it keeps the first
move and the next night catches up.
"""

from __future__ import annotations

from colony.chart import IdPrefix, Slots, TransferCode
from colony.credit.billing import OverdueBucket
from colony.ledger import Account, LedgerPort, Transfer
from colony.ledger.results import CreateAccountResult as RA
from colony.ledger.results import CreateTransferResult as RT

# The share of principal outstanding expected lost, by overdue bucket, in basis points: the
# pay-later line's, cash loans' and loans to merchants' provision is raised to these (one set,
# loans/rules.py reads it; docs/adr/0057).
LOSS_RATE_BPS: dict[str, int] = {
    OverdueBucket.current: 100,
    OverdueBucket.days_1_30: 1_000,
    OverdueBucket.days_31_60: 3_000,
    OverdueBucket.days_61_90: 6_000,
    OverdueBucket.days_over_90: 10_000,
}
_BPS = 10_000


class ProvisionRefused(RuntimeError):
    """The ledger refused a provision this module built: a bug, never an outcome."""


def expected_loss(principal_minor: int, bucket: str) -> int:
    """What is provided against `principal_minor` in `bucket`, half-up (none below zero)."""
    if principal_minor <= 0:
        return 0
    return (2 * principal_minor * LOSS_RATE_BPS[bucket] + _BPS) // (2 * _BPS)


def provision_id(product: str, ledger: int) -> int:
    return IdPrefix.loss_provision.account_id(ledger, product)


def expense_id(product: str, ledger: int) -> int:
    return IdPrefix.provision_expense.account_id(ledger, product)


def provision_accounts(product: str, ledger: int) -> list[Account]:
    """The product's provision and its expense in a currency (no flags: either may run back
    when the provision is released)."""
    return [
        Account(provision_id(product, ledger), ledger, int(IdPrefix.loss_provision.code)),
        Account(expense_id(product, ledger), ledger, int(IdPrefix.provision_expense.code)),
    ]


def held(ledger: LedgerPort, product: str, ledger_number: int) -> int:
    """What the product's provision holds in a currency (0 before it was ever raised)."""
    found = ledger.lookup_accounts([provision_id(product, ledger_number)])
    return found[0].credits_posted - found[0].debits_posted if found else 0


def provide(ledger: LedgerPort, product: str, targets: dict[int, int], day: int) -> dict[int, int]:
    """Raise or release the product's provision on each ledger to its target, as day `day`'s
    move; what moved per ledger (positive: raised)."""
    moves: list[Transfer] = []
    for number, target in sorted(targets.items()):
        if target < 0:
            raise ValueError(f"a provision target below zero on ledger {number}: {target}")
        accounts = provision_accounts(product, number)
        for account, made in zip(accounts, ledger.create_accounts(accounts), strict=True):
            if made not in (RA.ok, RA.exists):
                raise ProvisionRefused(f"account {account.id} refused: {made.name}")
        change = target - held(ledger, product, number)
        if change == 0:
            continue
        provision, expense = provision_id(product, number), expense_id(product, number)
        debit, credit = (expense, provision) if change > 0 else (provision, expense)
        moves.append(
            Transfer(
                Slots.provision_of_day.of(provision, day), debit, credit, abs(change), number,
                TransferCode.provision, user_data_32=day,
            )
        )  # fmt: skip
    moved: dict[int, int] = {}
    for move, result in zip(moves, ledger.create_transfers(moves) if moves else [], strict=True):
        if result is RT.ok:
            raised = move.credit_account_id == provision_id(product, move.ledger)
            moved[move.ledger] = move.amount if raised else -move.amount
        elif result is not RT.exists and not result.name.startswith("exists_with_different"):
            raise ProvisionRefused(f"provision {move.id} refused: {result.name}")
    return moved
