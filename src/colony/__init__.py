"""Colony: an open-source payments platform built on a durable double-entry ledger."""

__version__ = "0.1.0"
