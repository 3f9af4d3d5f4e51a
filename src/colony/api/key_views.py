"""How an API key is shown over HTTP: its id, name and scopes, never its secret."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from colony.api import scopes
from colony.api.records import ApiStore, KeyRecord
from colony.kernel.clock import NS_PER_S

# The longest name a key may be given, in characters.
key_name_chars_max = 100
_KEY_ID = re.compile(r"key_[0-9a-f]{16}")


class ApiKeyObject(BaseModel):
    """An API key: its id, name and scopes; its secret only in the answer that made it."""

    object: Literal["api_key"]
    id: str
    name: str | None
    type: Literal["standard", "restricted"]
    scopes: list[str]
    created: int
    revoked: int | None
    secret: str | None = Field(default=None, description="only when made; never replayed")
    partner: str | None = Field(default=None, description="a partner's key: its partner")


class ApiKeyList(BaseModel):
    """API keys, oldest first."""

    object: Literal["list"]
    data: list[ApiKeyObject]


def key_json(record: KeyRecord) -> dict[str, object]:
    return {
        "object": "api_key",
        "id": record.id,
        "name": record.name,
        "type": "standard" if record.scopes is None else "restricted",
        "scopes": list(scopes.held(record.kind, record.scopes)),
        "created": record.created_at_ns // NS_PER_S,
        "revoked": None if record.revoked_at_ns is None else record.revoked_at_ns // NS_PER_S,
    }


def owned_key(store: ApiStore, kind: str, owner_id: str, key_id: str) -> KeyRecord | None:
    """The owner's key of this kind with this id (`key_` and 16 hex digits), revoked or not."""
    if not _KEY_ID.fullmatch(key_id):
        return None
    return next((k for k in store.keys_of(kind, owner_id) if k.id == key_id), None)
