"""The ledger's hot path in C, when it was built (docs/adr/0069); otherwise none, and the
Python it shadows runs alone.

`engine` is the compiled module, configured with the Python classes and constants it must
agree with, or None: built without a C compiler, its version not this code's, or switched
off with `COLONY_LEDGER_PURE=1`. The callers (transfers.py, codec.py) read `engine` at every
batch, so a test can set it to None to run the pure path in the same process: both paths
run the same table and model tests, and a property test holds them equal event for event.
"""

from __future__ import annotations

from types import ModuleType

from colony.kernel.compiled import compiled_or_none
from colony.ledger.archive import FILTER_MIX
from colony.ledger.history import CHECKPOINT_MASK
from colony.ledger.model import Transfer
from colony.ledger.results import CreateTransferResult
from colony.ledger.state import (
    _A_CLOSED,
    _A_CR_LIMIT,
    _A_DR_LIMIT,
    SUMS_CR_POSTED,
    SUMS_DR_POSTED,
    LiveAccount,
)

PURE_ENV = "COLONY_LEDGER_PURE"
# The C module's interface version this code expects (`VERSION` in _native.c).
NATIVE_VERSION = 5


def _load() -> ModuleType | None:
    _native = compiled_or_none(
        "colony.ledger._native", NATIVE_VERSION, PURE_ENV, "the ledger's C hot path"
    )
    if _native is None:
        return None
    _native.configure(
        Transfer,
        LiveAccount,
        CHECKPOINT_MASK,
        SUMS_DR_POSTED,
        SUMS_CR_POSTED,
        _A_DR_LIMIT,
        _A_CR_LIMIT,
        _A_CLOSED,
        FILTER_MIX,
        CreateTransferResult.exceeds_credits,
        CreateTransferResult.exceeds_debits,
    )
    module: ModuleType = _native
    return module


engine: ModuleType | None = _load()


def engine_name() -> str:
    """ "c" or "python": which path applies transfers in this process (`colony bench ledger`
    prints it with its figures)."""
    return "c" if engine is not None else "python"
