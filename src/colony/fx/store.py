"""What the FX context keeps: its quotes, and which payment used each."""

from __future__ import annotations

from typing import Protocol

from colony.fx.quotes import Quote


class QuoteStore(Protocol):
    def add(self, quote: Quote) -> bool:
        """Store a new quote; False if its id is already stored."""
        ...

    def get(self, quote_id: str) -> Quote | None: ...

    def recent(self, before_id: str | None, limit: int) -> list[Quote]:
        """Newest first (ids are time-ordered): up to `limit` quotes older than `before_id`
        (None: the newest)."""

    def mark_used(self, quote_id: str, used_by: str, now_ns: int) -> bool:
        """Record that `used_by` used the quote, atomically: True only if it was unused and
        had not expired at `now_ns`, so of two payments racing for one quote one wins."""
        ...

    def close(self) -> None: ...
