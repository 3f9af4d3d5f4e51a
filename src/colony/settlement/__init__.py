"""Clearing and settlement between partners: per window, partner and currency, what crossed
between them, the fees and interchange on it, the multilateral net, and reconciliation of a
partner's statement file, all read from the ledger's clearing legs (docs/adr/0018)."""
