"""Ids an operator marked, with a reason and a time: a frozen wallet (docs/adr/0039), a
suspended merchant (docs/adr/0114). One row per marked id in a table of the product's own;
lifting the mark deletes the row, and the staff audit log keeps who marked and lifted it.

Every payment asks whether its wallet, or its merchant, is marked. Where one process alone
serves the database, or is the ledger's writer among workers that make every mark there
(kernel/one_keeper.py, docs/adr/0088 and 0099), the marked ids are kept in memory and the
ask reads no table; elsewhere, and past `marked_ids_kept_max`, each ask reads the table.
"""

from __future__ import annotations

from collections.abc import Callable

from colony.kernel.one_keeper import OneKeeper, Route
from colony.storage.tables import Tables

# Marked ids of one table kept in memory; past it, none are and every ask reads the table,
# as with several processes.
marked_ids_kept_max = 100_000


class MarkedIds:
    def __init__(self, tables: Tables, table: str, id_column: str, at_column: str, *,
                 alone: bool) -> None:  # fmt: skip
        """`table` holds (`id_column`, reason, `at_column`), its id the primary key; the
        names are the product's own constants, never input. `alone`: as OneKeeper's
        `keeping`."""
        self._tables = tables
        self._insert = (
            f"INSERT INTO {table} ({id_column}, reason, {at_column}) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING"
        )
        self._delete = f"DELETE FROM {table} WHERE {id_column} = ?"
        self._read_one = f"SELECT reason, {at_column} FROM {table} WHERE {id_column} = ?"
        self._read_all = f"SELECT {id_column} FROM {table} LIMIT ?"
        self._read_newest = (
            f"SELECT {id_column}, reason, {at_column} FROM {table}"
            f" ORDER BY {at_column} DESC, {id_column} LIMIT ?"
        )
        # The page after a mark: older ones, or as old with a later id (the list's order).
        self._read_older = (
            f"SELECT {id_column}, reason, {at_column} FROM {table}"
            f" WHERE {at_column} < ? OR ({at_column} = ? AND {id_column} > ?)"
            f" ORDER BY {at_column} DESC, {id_column} LIMIT ?"
        )
        # The marked ids, read once when first asked (None: not read yet), then kept in step
        # by `mark_here` and `unmark_here` under the keeper's lock, which the read holds too:
        # a mark committed while they are read is not lost.
        self._marked: set[str] | None = None
        self._in_memory = alone  # False past marked_ids_kept_max, too
        self.keeper = OneKeeper(keeping=alone)

    def mark(self, name: str, marked_id: str, reason: str, at_ns: int) -> bool:
        """Mark `marked_id`, by the keeping process (`name`: the change's call name); False
        (and nothing changed) when it is marked already."""
        return bool(self.keeper.change(name, self.mark_here, marked_id, reason, at_ns))

    def unmark(self, name: str, marked_id: str) -> bool:
        """Lift the mark, by the keeping process; False when there was none."""
        return bool(self.keeper.change(name, self.unmark_here, marked_id))

    def mark_here(self, marked_id: str, reason: str, at_ns: int) -> bool:
        with self.keeper.changing():
            with self._tables.write() as db:
                made = db.execute(self._insert, (marked_id, reason, at_ns)).rowcount == 1
            if self._marked is not None:
                self._marked.add(marked_id)  # committed: from now on it is marked
                if len(self._marked) > marked_ids_kept_max:
                    self._stop_keeping()
        return made

    def unmark_here(self, marked_id: str) -> bool:
        with self.keeper.changing():
            with self._tables.write() as db:
                deleted = db.execute(self._delete, (marked_id,)).rowcount
            if self._marked is not None:
                self._marked.discard(marked_id)  # committed (a failed one leaves it marked)
        return deleted == 1

    def is_marked(self, marked_id: str) -> bool:
        marked = self._marked
        if marked is None and self._in_memory:  # not read yet: no lock once it is
            marked = self._read_marked()
        if marked is None:
            return self.mark_of(marked_id) is not None
        return marked_id in marked

    def mark_of(self, marked_id: str) -> tuple[str, int] | None:
        """(reason, when) of the mark, read from the table; None when not marked."""
        with self._tables.session() as db:
            row = db.execute(self._read_one, (marked_id,)).fetchone()
        return None if row is None else (str(row[0]), int(str(row[1])))

    def newest(
        self, limit: int, after: tuple[int, str] | None = None
    ) -> list[tuple[str, str, int]]:
        """Up to `limit` marks, (id, reason, when), the newest first, read from the table;
        `after` (when, id) of the last mark of the page before: the next page."""
        with self._tables.session() as db:
            if after is None:
                rows = db.execute(self._read_newest, (limit,)).fetchall()
            else:
                at, marked_id = after
                rows = db.execute(self._read_older, (at, at, marked_id, limit)).fetchall()
        return [(str(row[0]), str(row[1]), int(str(row[2]))) for row in rows]

    def _read_marked(self) -> set[str] | None:
        """The marked ids, read now if they are to be kept and were not yet; None when they
        are not kept (another process may mark, or there are too many)."""
        with self.keeper.lock:
            if self._marked is None and self._in_memory:
                with self._tables.session() as db:
                    rows = db.execute(self._read_all, (marked_ids_kept_max + 1,)).fetchall()
                self._marked = {str(row[0]) for row in rows}
                if len(self._marked) > marked_ids_kept_max:
                    self._stop_keeping()
            return self._marked

    def _stop_keeping(self) -> None:
        """Past `marked_ids_kept_max`: every ask reads the table again (under the lock)."""
        self._marked = None
        self._in_memory = False

    def make_changes_via(self, route: Route) -> None:
        self.keeper.make_changes_via(route)

    def keep_in_memory(self) -> Callable[[], None]:
        """Answer `is_marked` from memory from now (read afresh when first asked) until the
        function returned is called; the writer's duty among workers (docs/adr/0099)."""

        def start() -> None:
            self._marked, self._in_memory = None, True

        def stop() -> None:
            self._marked, self._in_memory = None, False

        return self.keeper.keep(start, stop)
