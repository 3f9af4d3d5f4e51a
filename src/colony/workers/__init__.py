"""Many API worker processes, one ledger writer.

The ledger keeps its state in the memory of the one process that owns the journal (ADR 0001),
so when `colony serve --workers N` runs several processes on one database, they elect that
owner (`ElectedLedger`): the winner opens the ledger and serves it to the others over a local
socket (`LedgerServer`); the others reach it through `RemoteLedger`. If the writer dies, a
follower takes its place (docs/adr/0014-many-api-workers-one-ledger-writer.md).
"""

from colony.workers.elected_ledger import ElectedLedger, WriterDuty, http_workers
from colony.workers.ledger_server import LedgerServer
from colony.workers.remote_ledger import RemoteLedger

__all__ = ["ElectedLedger", "LedgerServer", "RemoteLedger", "WriterDuty", "http_workers"]
