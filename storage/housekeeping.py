"""`SqlAlchemyHousekeeping`: the prune job's deletes, each one short transaction of at most `limit` rows.

Each call is one statement, the oldest settled rows first:

    WITH doomed AS MATERIALIZED (SELECT key FROM t WHERE <settled> AND <time> < :before
                                 ORDER BY <time> LIMIT :n FOR UPDATE SKIP LOCKED)
    DELETE FROM t WHERE key IN (SELECT key FROM doomed) RETURNING key

`outbox.created_at` and `inbox.received_at` have a partial index over settled rows only (`state <>
'pending'`, written as the same literal here so that both planners use it), the two "handled" records an
index on their time: the statement reads its batch off the start of an index, never the whole table. On
PostgreSQL two prunes at once skip each other's rows (SKIP LOCKED) and neither waits; on SQLite the
statement runs under the write lock, taken in turn with the customers' transactions
(`storage.database.sqlite_writer`), for as long as one batch takes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Column, Table, TextClause, delete, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningDelete

from storage.tables.inbox import SETTLED_UPDATE, InboxRow
from storage.tables.messaging import SETTLED_MESSAGE, OutboxRow, ProcessedUpdateRow
from storage.tables.payments import WebhookEventRow

__all__ = ["SqlAlchemyHousekeeping"]

_OUTBOX = cast(Table, OutboxRow.__table__)
_INBOX = cast(Table, InboxRow.__table__)
_UPDATES = cast(Table, ProcessedUpdateRow.__table__)
_EVENTS = cast(Table, WebhookEventRow.__table__)


def _oldest(
    table: Table,
    keys: list[Column[Any]],
    time: Column[Any],
    before: datetime,
    limit: int,
    settled: TextClause | None = None,
) -> ReturningDelete[Any]:
    where: list[Any] = [time < before] if settled is None else [settled, time < before]
    doomed = (
        select(*keys)
        .where(*where)
        .order_by(time)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("doomed")
        .prefix_with("MATERIALIZED")
    )
    chosen = select(*(doomed.c[key.key] for key in keys))
    match = keys[0].in_(chosen) if len(keys) == 1 else tuple_(*keys).in_(chosen)
    # The rows chosen are locked (SQLite: under the write lock) and settled: nothing to check again. Counted
    # by what it returns: Python's sqlite3 gives no rowcount for a statement that starts with WITH.
    return delete(table).where(match).returning(keys[0])


class SqlAlchemyHousekeeping:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _delete(self, statement: ReturningDelete[Any]) -> int:
        async with self._sessions() as session, session.begin():
            return len((await session.execute(statement)).all())

    async def prune_outbox(self, before: datetime, *, limit: int) -> int:
        c = _OUTBOX.c
        statement = _oldest(_OUTBOX, [c.id], c.created_at, before, limit, text(SETTLED_MESSAGE))
        return await self._delete(statement)

    async def prune_inbox(self, before: datetime, *, limit: int) -> int:
        c = _INBOX.c
        statement = _oldest(_INBOX, [c.update_id], c.received_at, before, limit, text(SETTLED_UPDATE))
        return await self._delete(statement)

    async def prune_processed_updates(self, before: datetime, *, limit: int) -> int:
        c = _UPDATES.c
        return await self._delete(_oldest(_UPDATES, [c.update_id], c.processed_at, before, limit))

    async def prune_webhook_events(self, before: datetime, *, limit: int) -> int:
        c = _EVENTS.c
        return await self._delete(_oldest(_EVENTS, [c.source, c.event_id], c.processed_at, before, limit))
