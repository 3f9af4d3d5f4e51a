"""Exceptions shared by every context.

Business outcomes are result codes, never exceptions. These are for bad input at the edges
(a malformed file line, a float where money belongs) and for broken infrastructure.
"""

from __future__ import annotations


class ColonyError(Exception):
    """Base of Colony's own exceptions."""


class InvalidInput(ColonyError, ValueError):
    """Input from outside (a file, a request, an argument) is malformed; the message says where."""


class StorageUnavailable(ColonyError):
    """The storage backend failed; the operation's effects are not durable."""
