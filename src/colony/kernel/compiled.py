"""Loading one of Colony's optional C extensions (setup.py), or None to run its Python twin.

Each extension shadows Python that stays the reference and the fallback; the caller keeps the
module it gets (or None) and reads it when it works, so a test can set it to None and run the
Python in the same process. An environment variable switches an extension off by hand.
"""

from __future__ import annotations

import importlib
import logging
import os
from types import ModuleType

_log = logging.getLogger(__name__)


def compiled_or_none(name: str, version: int, off_env: str, what: str) -> ModuleType | None:
    """The extension module `name` when it is built and its `VERSION` is `version`, else None
    (logged): not built (no C compiler at install), another version's (rebuild it with
    scripts/bootstrap), or switched off by `off_env` set to anything but empty or 0. `what`
    names it in the log ("the ledger's C hot path")."""
    if os.environ.get(off_env, "").strip() not in ("", "0"):
        return None
    try:
        module = importlib.import_module(name)
    except ImportError:
        _log.info("%s is not built: its Python twin runs alone", what)
        return None
    built = getattr(module, "VERSION", None)
    if built != version:
        _log.warning(
            "%s is version %s, not %s: rebuild it (scripts/bootstrap); its Python twin runs alone",
            what,
            built,
            version,
        )
        return None
    return module
