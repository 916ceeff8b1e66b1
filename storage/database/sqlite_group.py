"""Group commit on SQLite: the write transactions that run in one turn of the event loop share one COMMIT.

A COMMIT in WAL mode appends every page its transaction changed to the log. The turns of many customers
at once change the same few pages (the newest rows of the inbox and the outbox, and their indexes), so a
COMMIT for each of them writes those pages again and again: at 50 customers at once the COMMITs were the
dearest step of a browsing update (about 0.11 ms each, 1.4 of them per update). Here the write
transactions of an engine's inline connections (`storage.database.inline_sqlite`) run as SAVEPOINTs of one
`BEGIN IMMEDIATE` on a connection of the group's, and one COMMIT ends them all:

    connection = await group.join()   # one member at a time, in arrival order; SAVEPOINT (the first
                                      # member, alone in the transaction, needs none)
    ... the member's statements on `connection` ...
    await group.commit()              # RELEASE: the next member may start; returns once the COMMIT is done
    group.rollback()                  # ROLLBACK TO: this member's statements undone, the others' kept

The COMMIT is a task started by the first member to finish, so it runs after the members that were ready
in the same turn of the loop; nothing waits on a timer, and a lone member commits at once. A member's
`commit` returns, and its replies may be sent, only once that COMMIT is done: what each member was
promised holds. If the COMMIT fails, every member in it fails and none of their writes is kept, as if each
had failed alone; their updates are tried again. Members are one at a time (an asyncio lock, held from
SAVEPOINT to RELEASE, as the engine's write lock was held from BEGIN to COMMIT), so a member never sees
another's half-done work, only released work of the same group, which commits or fails with its own.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

__all__ = ["WriteGroup"]

_SAVEPOINT = "member"


class WriteGroup:
    """The write transactions of one SQLite database file in this process (`connect`: a new connection,
    set up as the engine's others are)."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        begin: Callable[[sqlite3.Connection], Any],
        commit: Callable[[sqlite3.Connection], Any],
    ) -> None:
        """`begin` and `commit` run `BEGIN IMMEDIATE` and COMMIT on the group's connection, waiting while
        another process holds the write lock (awaitables: `storage.database.inline_sqlite.patiently`)."""
        self._connect = connect
        self._begin = begin
        self._commit_on = commit
        self._connection: sqlite3.Connection | None = None
        self._functions: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self._slot: asyncio.Lock | None = None  # held by the member whose SAVEPOINT is open
        self._released: list[asyncio.Future[None]] = []  # members waiting for the COMMIT
        self._committing: asyncio.Task[None] | None = None
        self._first = False  # the member in the slot began the transaction (no SAVEPOINT: it is alone)

    async def join(self) -> sqlite3.Connection:
        """Wait for the members before this one, then open this one's SAVEPOINT (and the transaction)."""
        if self._slot is None:
            self._slot = asyncio.Lock()
        await self._slot.acquire()
        try:
            connection = self._open()
            self._first = not connection.in_transaction  # alone in the transaction: it needs no SAVEPOINT
            if self._first:
                await self._begin(connection)
            else:
                connection.execute(f"SAVEPOINT {_SAVEPOINT}")
        except BaseException:
            self._leave()
            raise
        return connection

    async def commit(self) -> None:
        """Keep this member's writes; returns once they are committed, raises if the COMMIT failed."""
        assert self._connection is not None
        try:
            if not self._first:
                self._connection.execute(f"RELEASE {_SAVEPOINT}")
        except BaseException:
            self.rollback()
            raise
        done = asyncio.get_running_loop().create_future()
        self._released.append(done)
        self._leave()
        await asyncio.shield(done)  # a cancelled member is committed all the same

    def rollback(self) -> None:
        """Undo this member's writes (nothing of it is kept), leaving the released members' as they are."""
        connection = self._connection
        try:
            if connection is None or not connection.in_transaction:
                pass  # SQLite ended the whole transaction itself (a full disk): the COMMIT reports it
            elif self._first:
                connection.rollback()  # nobody else's writes are in it yet
            else:
                connection.execute(f"ROLLBACK TO {_SAVEPOINT}")
                connection.execute(f"RELEASE {_SAVEPOINT}")
        finally:
            self._leave()

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        """A function SQLAlchemy gives each connection it opens, given to the group's connection too."""
        self._functions.append((args, kwargs))
        if self._connection is not None:
            self._connection.create_function(*args, **kwargs)

    def close(self) -> None:
        if self._connection is not None and not self._released and not self._busy():
            self._connection.close()
            self._connection = None

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = self._connect()
            for args, kwargs in self._functions:
                self._connection.create_function(*args, **kwargs)
        return self._connection

    def _busy(self) -> bool:
        return self._slot is not None and self._slot.locked()

    def _leave(self) -> None:
        assert self._slot is not None
        self._slot.release()
        if self._committing is None or self._committing.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # a connection closed outside the loop (garbage collected): commit here
                self._commit_now()
                return
            self._committing = loop.create_task(self._commit())

    async def _commit(self) -> None:
        assert self._slot is not None
        async with self._slot:  # after the members already waiting to join: they share this COMMIT
            released, self._released = self._released, []
            connection = self._connection
            error: Exception | None = None
            if connection is not None and connection.in_transaction:
                try:
                    await self._commit_on(connection)
                except BaseException as failure:  # the members fail as one, and are tried again
                    connection.rollback()
                    error = (
                        failure
                        if isinstance(failure, Exception)  # else cancelled: the loop shuts down
                        else sqlite3.OperationalError("the shared write transaction was not committed")
                    )
            elif released:  # SQLite rolled the transaction back under a member (an I/O error, a full disk)
                error = sqlite3.OperationalError("the shared write transaction was rolled back")
            for done in released:
                if done.done():
                    continue
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)

    def _commit_now(self) -> None:
        connection = self._connection
        if connection is not None and connection.in_transaction and not self._busy():
            connection.commit()
