"""SQLite statements run on the event loop's own thread: the aiosqlite interface without its thread hop.

aiosqlite runs every call (cursor, execute, fetch, close, commit) on a thread of its own and hands the
result back through the event loop: about 0.15 ms of CPU per call in thread switches and GIL hand-overs,
two to four calls a statement, more than the statement itself costs. A shop's statements are point
reads and small writes on a local file in WAL mode, which take microseconds, so this connection runs them
where they are asked for. SQLAlchemy's aiosqlite dialect drives it unchanged (`create_async_engine(...,
async_creator=...)`); it offers the calls of `aiosqlite.Connection` that dialect makes.

Waiting must still not block the loop. SQLite's own busy handler would sleep in the calling thread while
another *process* holds the write lock (a coroutine of this process never does: see `sqlite_writer`),
so the connection is opened with no busy timeout and a statement refused with SQLITE_BUSY is tried again
after an `asyncio.sleep`, with a growing pause, until `busy_timeout_ms` has passed; then the error stands.
Long reports keep a threaded (aiosqlite) engine of their own (`storage.database.engine.create_engine(...,
threaded=True)`), so a /stats over a large shop does not hold up every customer.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, TypeVar

__all__ = ["InlineSqliteConnection", "connect_inline"]

_T = TypeVar("_T")
_SQLITE_BUSY = 5  # the primary result code; BUSY_SNAPSHOT (517) cannot succeed by trying again
_FIRST_PAUSE_S = 0.001
_LONGEST_PAUSE_S = 0.05


class InlineSqliteCursor:
    def __init__(self, cursor: sqlite3.Cursor, connection: InlineSqliteConnection) -> None:
        self._cursor = cursor
        self._connection = connection

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Self:
        if parameters is None:
            await self._connection.patiently(self._cursor.execute, sql)
        else:
            await self._connection.patiently(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Self:
        rows = list(parameters)  # an iterator would be spent by a refused first try
        await self._connection.patiently(self._cursor.executemany, sql, rows)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def close(self) -> None:
        self._cursor.close()


class InlineSqliteConnection:
    """What SQLAlchemy's aiosqlite dialect calls on an `aiosqlite.Connection`, run in the caller's thread."""

    def __init__(self, connection: sqlite3.Connection, *, busy_timeout_ms: int) -> None:
        self._conn = connection
        self.busy_timeout_ms = busy_timeout_ms

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def patiently(self, call: Callable[..., _T], *args: Any) -> _T:
        """`call(*args)`, tried again after a pause while another process holds the lock it needs."""
        deadline: float | None = None
        pause = _FIRST_PAUSE_S
        while True:
            try:
                return call(*args)
            except sqlite3.OperationalError as error:
                if getattr(error, "sqlite_errorcode", None) != _SQLITE_BUSY:
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self.busy_timeout_ms / 1000
                if now >= deadline:
                    raise
                await asyncio.sleep(min(pause, deadline - now))
                pause = min(pause * 2, _LONGEST_PAUSE_S)

    async def cursor(self) -> InlineSqliteCursor:
        return InlineSqliteCursor(self._conn.cursor(), self)

    async def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> InlineSqliteCursor:
        cursor = await self.cursor()
        return await cursor.execute(sql, parameters)

    async def begin(self, sql: str) -> None:
        """`BEGIN` or `BEGIN IMMEDIATE`, waiting (as `patiently` does) while another process writes."""
        await self.patiently(self._conn.execute, sql)

    async def run(self, sql: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        """One statement on a cursor of its own (`storage.database.prepared`), its rows still to fetch."""
        cursor = self._conn.cursor()
        await self.patiently(cursor.execute, sql, parameters)
        return cursor

    async def commit(self) -> None:
        await self.patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def stop(self) -> None:
        """Close at once (SQLAlchemy's `terminate`, for a connection it gives up on)."""
        self._conn.close()


def connect_inline(path: str, *, busy_timeout_ms: int) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: a new inline connection to the database file."""

    async def connect() -> InlineSqliteConnection:
        # isolation_level=None: no implicit transactions, BEGIN comes from the engine's `begin` event;
        # timeout=0: SQLite never sleeps in this thread waiting for a lock (`patiently` waits instead)
        connection = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
        return InlineSqliteConnection(connection, busy_timeout_ms=busy_timeout_ms)

    return connect
