"""The SQLite connections an engine's inline connections read on, lent for one read transaction at a time.

An inline connection (`storage.database.inline_sqlite`) writes on its write group's connection. It used
to read (outside a write transaction) on a SQLite connection of its own, kept for the pooled connection's
life: those connections grew with the most turns that ever ran at once (the pool holds 48), each with
its own schema, lookaside memory and page cache, about 0.2 MiB. The load benchmark's bot opened one more
every few seconds for minutes, and its peak RSS crept up with them (docs/benchmarks.md). Here a reader is
lent when a read begins and comes back when its transaction ends:

    connection = shelf.lend()     # an idle reader, the one given back last; a new one when none is idle
    ... BEGIN, the reads, COMMIT (or ROLLBACK) ...
    shelf.give_back(connection)   # a transaction still open is rolled back

Statements run on the event loop's thread, so a reader is only ever in one transaction; the process keeps
as many readers as reads were open at once, and the one given back last, whose cache is warm, goes first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

__all__ = ["ReaderShelf"]


class ReaderShelf:
    """The readers of one SQLite database file in this process (`connect`: a new connection, set up)."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []
        self._functions: dict[tuple[Any, ...], tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def lend(self) -> sqlite3.Connection:
        if self._idle:
            return self._idle.pop()
        connection = self._connect()
        for args, kwargs in self._functions.values():
            connection.create_function(*args, **kwargs)
        self._opened.append(connection)
        return connection

    def give_back(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.rollback()
        self._idle.append(connection)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        """A function SQLAlchemy gives each connection it opens: every reader gets it once."""
        key = args[:2]  # name and number of arguments: SQLite's own key for a function
        if self._functions.get(key) == (args, kwargs):
            return
        self._functions[key] = (args, kwargs)
        for connection in self._opened:
            connection.create_function(*args, **kwargs)

    def close(self) -> None:
        """Close the idle readers (every reader, once no inline connection is open: `SqliteFile.leave`)."""
        lent = [connection for connection in self._opened if connection not in self._idle]
        for connection in self._idle:
            connection.close()
        self._idle.clear()
        self._opened = lent
