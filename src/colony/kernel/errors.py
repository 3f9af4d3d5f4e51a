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


class UnstorableInput(InvalidInput):
    """Storage refused a value it cannot hold (an integer past its column, a NUL in
    PostgreSQL's text): the input's fault, so retrying it can never succeed. Input is held to
    what storage can hold at the edge (api/input_limits.py); this is what reaches storage
    anyway, reported as bad input rather than as storage being unavailable."""
