"""Engine and session factory, built at start-up (never at import time) and disposed at shutdown.

SQLite gets WAL, a busy timeout and foreign keys on every connection. pysqlite/aiosqlite's own
transaction handling is switched off so that we emit BEGIN ourselves: `BEGIN IMMEDIATE` for units of work
that will write (they queue for the write lock up front instead of failing with "database is locked"
when a deferred read transaction tries to upgrade), plain `BEGIN` for read-only ones.
Within one process the writers queue on an asyncio lock first, so `BEGIN IMMEDIATE` never waits on a
sibling coroutine's transaction and "database is locked" cannot come from the process itself. On a
database file, statements run on the event loop's thread (`storage.database.inline_sqlite`: no thread hop
per call), and the write transactions that run in one turn of the loop share one COMMIT
(`storage.database.sqlite_group`); `threaded=True` keeps aiosqlite's thread for an engine of long
reports, whose writers queue on `storage.database.sqlite_writer`.
PostgreSQL (asyncpg) runs the same code at READ COMMITTED, on a fixed pool of connections.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from storage.database.inline_sqlite import InlineSqliteConnection, connect_inline
from storage.database.prepared import counted, counter_of
from storage.database.sqlite_writer import SqliteWriter

__all__ = [
    "create_engine",
    "reports_engine",
    "session_factory",
    "dispose",
    "count_statements",
    "WRITE_OPTION",
]

SQLITE_BUSY_TIMEOUT_MS = 5000
# SQLite's page cache per connection (its default is 2,000 KiB): a shop's hot pages (the index roots, the
# tail of the inbox and outbox, customers and carts being served) fit in 1 MiB, the rest comes from the
# OS's file cache. The load benchmark's peak RSS is 1-1.5 MiB lower with it, CPU per update unchanged.
SQLITE_CACHE_KIB = 1024
# An inline engine's write group (every write transaction, and the reads inside them) gets less: its
# connection comes on top of the pool's, and with 1 MiB the aiogram runtime peaked 1.4 MiB higher than
# before group commit (150.2-150.6 MiB, over the 150 of issue 13; 149.4 with 512). Reads outside a write
# transaction (a read-only unit of work, the inbox's look at whether an update is settled, staff figures,
# the backlog gauges) run on the readers lent for each read: as many as are open at once, two or three
# under load.
SQLITE_WRITE_GROUP_CACHE_KIB = 512
SQLITE_READER_CACHE_KIB = 256
# The inbox processor runs up to 32 turns at once, each holding a connection for its unit of work, and
# stores and sent marks need one too: with 10, 200 customers at once waited on the pool with the bot's core
# 20 % idle (4-17 % fewer updates/s than with 20; 20 and 32 were alike)
POSTGRES_POOL_SIZE = 20
# A writer holds its (inline) connection until its group's COMMIT, and the inbox processor runs up to 32
# turns at once: with SQLAlchemy's 5 (+10 opened and closed again) they churned connections. An inline
# connection opens no SQLite connection of its own (it writes on the write group's, and reads on one lent
# for each read, `storage.database.sqlite_readers`), so a large pool costs little memory.
SQLITE_POOL_SIZE = 48
WRITE_OPTION: Final = "shopbot_write"  # connection execution option: True = the transaction will write


def create_engine(
    url: str,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    threaded: bool = False,
    pool_size: int = POSTGRES_POOL_SIZE,
    **kwargs: Any,
) -> AsyncEngine:
    """`busy_timeout_ms`: how long SQLite waits for another process's write lock (SQLite only).
    `pool_size`: the PostgreSQL connections the engine keeps open, and the most it opens.
    `threaded`: SQLite statements run on aiosqlite's thread, not the event loop's (for long reports).
    `hide_parameters`: a failed statement's error message (and so its log line) does not carry the values
    it was given (names, streets, phones)."""
    kwargs.setdefault("hide_parameters", True)
    path = _sqlite_file(url)
    if path is not None and not threaded:
        pragmas = partial(_pragmas, inline=True, busy_timeout_ms=busy_timeout_ms)
        reader = _pragma_setup(pragmas(cache_kib=SQLITE_READER_CACHE_KIB))
        writer = _pragma_setup(pragmas(cache_kib=SQLITE_WRITE_GROUP_CACHE_KIB))
        creator = connect_inline(
            path, busy_timeout_ms=busy_timeout_ms, setup_reader=reader, setup_writer=writer
        )
        kwargs.setdefault("async_creator", creator)
        kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
        kwargs.setdefault("pool_use_lifo", True)  # the few in use again and again: the rest never read
    if make_url(url).get_backend_name() == "postgresql":
        # a fixed set of connections: past it a unit of work waits for one (in-process, cheap) instead of
        # opening an "overflow" connection that is closed again when it is returned (a new PostgreSQL
        # backend and asyncpg's type introspection for every burst: ptb browse 270 -> 445 updates/s)
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


def reports_engine(engine: AsyncEngine) -> AsyncEngine:
    """An engine for long reads (the /stats figures, the daily report): on an inline SQLite engine, one of
    its own on aiosqlite's thread, so a report over a large shop does not stop the event loop; else the
    same engine. Dispose it when it is not `engine`."""
    if engine.dialect.name != "sqlite" or _sqlite_file(engine.url.render_as_string(False)) is None:
        return engine
    return create_engine(engine.url.render_as_string(False), threaded=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def dispose(engine: AsyncEngine) -> None:
    await engine.dispose()


def count_statements(engine: AsyncEngine, count: Callable[[], object]) -> Callable[[], None]:
    """Call `count()` for every SQL statement the engine sends (BEGIN included; COMMIT is a driver call,
    not a statement). For the load benchmark and statement-count tests; returns the way to stop counting."""

    def _on_execute(*_args: Any) -> None:
        count()

    event.listen(engine.sync_engine, "before_cursor_execute", _on_execute)
    counted(engine.sync_engine, count)  # statements sent past SQLAlchemy's execution (`prepared`)

    def stop() -> None:
        event.remove(engine.sync_engine, "before_cursor_execute", _on_execute)
        counted(engine.sync_engine, None)

    return stop


def _sqlite_file(url: str) -> str | None:
    """The file of a plain `sqlite+aiosqlite:///path` URL (None for anything else: memory, URI options)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def _pragmas(*, inline: bool, busy_timeout_ms: int, cache_kib: int = SQLITE_CACHE_KIB) -> list[str]:
    """Every SQLite connection's settings. An inline connection waits for another process's lock itself."""
    return [
        "PRAGMA journal_mode=WAL",
        f"PRAGMA busy_timeout={0 if inline else int(busy_timeout_ms)}",
        "PRAGMA foreign_keys=ON",
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA cache_size=-{cache_kib}",
    ]


def _pragma_setup(pragmas: list[str]) -> Callable[[sqlite3.Connection], None]:
    def setup(connection: sqlite3.Connection) -> None:
        for pragma in pragmas:
            connection.execute(pragma)

    return setup


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    sync_engine = engine.sync_engine
    writer = SqliteWriter()
    writer.install(engine)

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection.driver_connection, InlineSqliteConnection):
            return  # its SQLite connections are set up as they are opened (`connect_inline`)
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in _pragmas(inline=False, busy_timeout_ms=busy_timeout_ms):
            cursor.execute(pragma)
        cursor.close()

    def begin(conn: Connection, sql: str) -> None:
        driver = conn.connection.driver_connection
        if not isinstance(driver, InlineSqliteConnection):
            conn.exec_driver_sql(sql)
            return
        count = counter_of(sync_engine)  # straight to the driver: SQLAlchemy's execution costs more
        if count is not None:
            count()
        try:
            await_only(driver.begin(sql))
        except sqlite3.Error as error:
            raise exc.DBAPIError.instance(sql, None, error, sqlite3.Error, hide_parameters=True) from error

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if not conn.get_execution_options().get(WRITE_OPTION, True):
            begin(conn, "BEGIN")
            return
        if isinstance(conn.connection.driver_connection, InlineSqliteConnection):
            begin(conn, "BEGIN IMMEDIATE")  # joins the engine's write group, which queues its writers
            return
        writer.acquire(conn)
        try:
            begin(conn, "BEGIN IMMEDIATE")
        except BaseException:
            writer.release_if_held_by(conn.info)
            raise
