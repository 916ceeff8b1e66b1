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
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from storage.database.sqlite_group import WriteGroup
from storage.database.sqlite_readers import ReaderShelf

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


@dataclass
class SqliteFile:
    """What the inline connections of one engine share: the write group and the readers of its database
    file, closed when the last of those connections (`users`) closes."""

    group: WriteGroup
    readers: ReaderShelf
    users: int = 0

    def leave(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.group.close()
            self.readers.close()


class InlineSqliteConnection:
    """What SQLAlchemy's aiosqlite dialect calls on an `aiosqlite.Connection`, run in the caller's thread.

    A write transaction (`begin("BEGIN IMMEDIATE")`) runs on the connection of the engine's `WriteGroup`
    (`storage.database.sqlite_group`), as a member of the write transaction it shares. Reads run on a
    reader lent by the engine's `ReaderShelf` (`storage.database.sqlite_readers`) for each read
    transaction: a SQLite connection costs memory for its schema and page cache, and the process keeps as
    many as reads are open at once, not one per pooled connection."""

    def __init__(self, file: SqliteFile, *, busy_timeout_ms: int) -> None:
        self._file = file
        self._group = file.group
        self._readers = file.readers
        self._own: sqlite3.Connection | None = None  # the reader lent, while a read is open
        self._member: sqlite3.Connection | None = None  # the group's, while a write transaction is open
        self._closed = False
        self.busy_timeout_ms = busy_timeout_ms
        file.users += 1

    @property
    def isolation_level(self) -> str | None:
        return None  # opened so: BEGIN comes from the engine's `begin` event

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._member is not None:
            return self._member
        if self._own is None:
            self._own = self._readers.lend()
        return self._own

    async def patiently(self, call: Callable[..., _T], *args: Any) -> _T:
        """`call(*args)`, tried again after a pause while another process holds the lock it needs."""
        return await patiently(self.busy_timeout_ms, call, *args)

    async def cursor(self) -> InlineSqliteCursor:
        return InlineSqliteCursor(self._conn.cursor(), self)

    async def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> InlineSqliteCursor:
        cursor = await self.cursor()
        return await cursor.execute(sql, parameters)

    async def begin(self, sql: str) -> None:
        """`BEGIN` or `BEGIN IMMEDIATE`, waiting (as `patiently` does) while another process writes; a
        write transaction joins the engine's write group."""
        if sql == "BEGIN IMMEDIATE":
            self._member = await self._group.join()
            return
        await self.patiently(self._conn.execute, sql)

    async def run(self, sql: str, parameters: Sequence[Any]) -> sqlite3.Cursor:
        """One statement on a cursor of its own (`storage.database.prepared`), its rows still to fetch."""
        cursor = self._conn.cursor()
        await self.patiently(cursor.execute, sql, parameters)
        return cursor

    async def commit(self) -> None:
        if self._leave_group():
            await self._group.commit()
        elif self._own is not None:
            await self.patiently(self._own.commit)
            self._give_back()

    async def rollback(self) -> None:
        if self._leave_group():
            self._group.rollback()
        elif self._own is not None:
            self._own.rollback()
            self._give_back()

    async def close(self) -> None:
        self.stop()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._readers.create_function(*args, **kwargs)
        self._group.create_function(*args, **kwargs)

    def stop(self) -> None:
        """Close at once (SQLAlchemy's `terminate`, for a connection it gives up on): a write transaction
        still open is rolled back."""
        if self._leave_group():
            self._group.rollback()
        self._give_back()
        if not self._closed:
            self._file.leave()
        self._closed = True

    def _give_back(self) -> None:
        """The read is over: its reader goes back to the shelf (a transaction still open rolled back)."""
        if self._own is not None:
            self._readers.give_back(self._own)
            self._own = None

    def _leave_group(self) -> bool:
        """Whether a write transaction of this connection was open (it no longer is)."""
        was_member, self._member = self._member is not None, None
        return was_member


async def patiently(busy_timeout_ms: int, call: Callable[..., _T], *args: Any) -> _T:
    """`call(*args)`, tried again after a pause while another process holds the lock it needs, until
    `busy_timeout_ms` has passed."""
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
                deadline = now + busy_timeout_ms / 1000
            if now >= deadline:
                raise
            await asyncio.sleep(min(pause, deadline - now))
            pause = min(pause * 2, _LONGEST_PAUSE_S)


def connect_inline(
    path: str,
    *,
    busy_timeout_ms: int,
    setup_reader: Callable[[sqlite3.Connection], None],
    setup_writer: Callable[[sqlite3.Connection], None],
) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: a new inline connection to the database file. Its
    write transactions share the group of the engine's connections. `setup_reader` prepares each SQLite
    connection opened for reads (its PRAGMAs), `setup_writer` the write group's."""

    def open_connection() -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions, BEGIN comes from the engine's `begin` event;
        # timeout=0: SQLite never sleeps in this thread waiting for a lock (`patiently` waits instead)
        return sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)

    def open_reader() -> sqlite3.Connection:
        connection = open_connection()
        setup_reader(connection)
        return connection

    def open_writer() -> sqlite3.Connection:
        connection = open_connection()
        setup_writer(connection)
        return connection

    async def begin(connection: sqlite3.Connection) -> None:
        await patiently(busy_timeout_ms, connection.execute, "BEGIN IMMEDIATE")

    async def commit(connection: sqlite3.Connection) -> None:
        await patiently(busy_timeout_ms, connection.commit)

    file = SqliteFile(WriteGroup(open_writer, begin, commit), ReaderShelf(open_reader))

    async def connect() -> InlineSqliteConnection:
        return InlineSqliteConnection(file, busy_timeout_ms=busy_timeout_ms)

    return connect
