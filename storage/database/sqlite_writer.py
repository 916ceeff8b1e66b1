"""One writer at a time inside a process on SQLite: an asyncio lock taken before `BEGIN IMMEDIATE`.

For the engine's connections that are not inline (an in-memory database, the threaded engine of long
reports); an inline connection's writers queue in the engine's write group (`storage.database.sqlite_group`).

SQLite has one write lock per database file. Without this, every coroutine that begins a write
transaction spins on that file lock in its own connection thread (SQLite's busy handler sleeps and
retries), in no particular order, and past `busy_timeout` fails with "database is locked". With it, the
writers of one process queue on an asyncio lock in arrival order and `BEGIN IMMEDIATE` finds the file
lock free (unless another process holds it: then `busy_timeout` still applies). Readers take no lock:
in WAL mode they read a snapshot while a writer writes.

The lock is taken in the engine's `begin` event (under SQLAlchemy's greenlet, so it can wait on the
event loop) and given back when the connection returns to the pool, after its COMMIT or ROLLBACK.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

__all__ = ["SqliteWriter"]


class SqliteWriter:
    """The engine's write lock; `held` is True while some transaction of this process may write."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._holder: dict[Any, Any] | None = None  # the holding connection record's `info`

    @property
    def held(self) -> bool:
        return self._holder is not None

    def install(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        event.listen(sync_engine.pool, "checkin", self._on_checkin)
        event.listen(sync_engine.pool, "detach", self._on_detach)

    def acquire(self, conn: Connection) -> None:
        """Wait (on the event loop) until no other connection of this process may write."""
        if self._holder is conn.info:  # a second transaction on the same checked-out connection
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        await_only(self._lock.acquire())
        self._holder = conn.info

    def release_if_held_by(self, info: dict[Any, Any]) -> None:
        if self._holder is not None and self._holder is info:
            self._holder = None
            assert self._lock is not None
            self._lock.release()

    def _on_checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self.release_if_held_by(record.info)

    def _on_detach(self, _dbapi_connection: Any, record: Any) -> None:
        self.release_if_held_by(record.info)
