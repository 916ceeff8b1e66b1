"""`OutboxQueue` over SQLAlchemy: lease due rows atomically, settle them only while holding the lease.

The lease is one `WITH due AS MATERIALIZED (SELECT ... LIMIT n) UPDATE ... WHERE id IN due RETURNING`.
On PostgreSQL the CTE takes `FOR UPDATE SKIP LOCKED`, so concurrent relays claim disjoint rows without
waiting (materialized: as a plain IN-subquery the planner may re-scan it and claim past the limit); on
SQLite the single statement runs under the database write lock, and the repeated lease condition in the
outer WHERE keeps a row from being claimed twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.outbox import OutboxMessage, OutboxState
from storage.outbox_table import OutboxRow

__all__ = ["SqlAlchemyOutboxQueue"]

_ERROR_LIMIT = 500


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        chat_id=row.chat_id,
        payload=row.payload,
        created_at=row.created_at,
        dedupe_key=row.dedupe_key,
        id=row.id,
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


class SqlAlchemyOutboxQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def lease(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 50
    ) -> list[OutboxMessage]:
        free = or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now)
        due = (
            select(OutboxRow.id)
            .where(OutboxRow.state == OutboxState.PENDING.value, free)
            .where(or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now))
            .order_by(func.coalesce(OutboxRow.next_attempt_at, OutboxRow.created_at), OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
            .prefix_with("MATERIALIZED")  # evaluated once: a re-scanned SKIP LOCKED subquery claims more
        )
        claim = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(select(due.c.id)), OutboxRow.state == OutboxState.PENDING.value, free)
            .values(lease_until=until, leased_by=worker)
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            rows = (await session.execute(claim)).scalars().all()
            messages = [_message(row) for row in rows]
        messages.sort(key=lambda m: (m.next_attempt_at or m.created_at, m.id or 0))
        return messages

    async def _settle(self, message_id: int, worker: str, **values: object) -> bool:
        stmt = (
            update(OutboxRow)
            .where(
                OutboxRow.id == message_id,
                OutboxRow.leased_by == worker,
                OutboxRow.state == OutboxState.PENDING.value,
            )
            .values(lease_until=None, leased_by=None, **values)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            return (await session.execute(stmt)).rowcount == 1

    async def mark_sent(self, message_id: int, worker: str, now: datetime) -> bool:
        return await self._settle(message_id, worker, state=OutboxState.SENT.value, sent_at=now)

    async def postpone(self, message_id: int, worker: str, at: datetime, *, error: str = "") -> bool:
        return await self._settle(message_id, worker, next_attempt_at=at, last_error=error[:_ERROR_LIMIT])

    async def retry(self, message_id: int, worker: str, at: datetime, error: str) -> bool:
        return await self._settle(
            message_id,
            worker,
            next_attempt_at=at,
            attempts=OutboxRow.attempts + 1,
            last_error=error[:_ERROR_LIMIT],
        )

    async def fail(self, message_id: int, worker: str, error: str) -> bool:
        return await self._settle(
            message_id,
            worker,
            state=OutboxState.FAILED.value,
            attempts=OutboxRow.attempts + 1,
            last_error=error[:_ERROR_LIMIT],
        )

    async def fail_chat(self, chat_id: int, error: str) -> int:
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.chat_id == chat_id, OutboxRow.state == OutboxState.PENDING.value)
            .values(state=OutboxState.FAILED.value, last_error=error[:_ERROR_LIMIT], lease_until=None)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            return (await session.execute(stmt)).rowcount
