"""Counts of work waiting in the database, for the `/metrics` gauges."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.outbox import OutboxState
from storage.database.constants import in_sql
from storage.database.engine import WRITE_OPTION
from storage.tables.inbox import PENDING, InboxRow
from storage.tables.messaging import OutboxRow

__all__ = ["Backlogs", "count_backlogs"]

Backlogs = dict[str, int]


async def count_backlogs(sessions: async_sessionmaker[AsyncSession]) -> Backlogs:
    """{"outbox": pending outbox messages, "inbox": pending inbox updates}."""
    async with sessions() as session:
        await session.connection(execution_options={WRITE_OPTION: False})
        waiting = OutboxRow.state == in_sql(OutboxState.PENDING.value)
        outbox = await session.scalar(select(func.count()).where(waiting))
        inbox = await session.scalar(select(func.count()).where(InboxRow.state == in_sql(PENDING)))
    return {"outbox": int(outbox or 0), "inbox": int(inbox or 0)}
