"""`OutboxQueue` over SQLAlchemy: lease due rows atomically (`storage/queues/leases.py`), settle them only
while holding the lease, so a relay whose lease ran out cannot overwrite another relay's work.

Marking rows sent is the one settle that comes once per reply: the marks of replies sent at about the same
time share one statement (`_SentMarks`): the first mark goes at once, and those that arrive while it waits
for the database (behind the turns holding SQLite's write lock) go together in the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.outbox import OutboxMessage, OutboxState
from storage.database.dialect import rowcount
from storage.queues.leases import claim, release, release_orphans
from storage.queues.outbox_table import OutboxRow

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


_OUTBOX = cast(Table, OutboxRow.__table__)


class _SentMarks:
    """`mark(id, worker, at)` → whether the row was still this worker's to mark; marks queue while one
    statement is in flight and go together in the next (sent_at: the latest time among them)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._waiting: list[tuple[int, str, datetime, asyncio.Future[bool]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def mark(self, message_id: int, worker: str, at: datetime) -> bool:
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((message_id, worker, at, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                marked = await self._write(batch)
            except Exception as error:  # every mark of the batch sees the failure
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for message_id, _, _, done in batch:
                if not done.done():
                    done.set_result(message_id in marked)

    async def _write(self, batch: list[tuple[int, str, datetime, asyncio.Future[bool]]]) -> set[int]:
        by_worker: dict[str, list[int]] = {}
        for message_id, worker, _, _ in batch:
            by_worker.setdefault(worker, []).append(message_id)
        at = max(when for _, _, when, _ in batch)
        marked: set[int] = set()
        async with self._sessions() as session, session.begin():
            for worker, ids in by_worker.items():
                result = await session.execute(
                    update(_OUTBOX)
                    .where(
                        _OUTBOX.c.id.in_(ids),
                        _OUTBOX.c.leased_by == worker,
                        _OUTBOX.c.state == OutboxState.PENDING.value,
                    )
                    .values(state=OutboxState.SENT.value, sent_at=at, lease_until=None, leased_by=None)
                    .returning(_OUTBOX.c.id)
                )
                marked.update(result.scalars())
        return marked


class SqlAlchemyOutboxQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._sent = _SentMarks(sessions)

    async def lease(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 50
    ) -> list[OutboxMessage]:
        rows = await claim(
            self._sessions,
            OutboxRow,
            OutboxRow.id,
            due=[
                OutboxRow.state == OutboxState.PENDING.value,
                or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= now),
            ],
            order_by=[func.coalesce(OutboxRow.next_attempt_at, OutboxRow.created_at), OutboxRow.id],
            now=now,
            until=until,
            worker=worker,
            limit=limit,
        )
        messages = [_message(row) for row in rows]
        messages.sort(key=lambda m: (m.next_attempt_at or m.created_at, m.id or 0))
        return messages

    async def _settle(self, message_id: int, worker: str, **values: object) -> bool:
        pending = OutboxRow.state == OutboxState.PENDING.value
        return (
            await release(
                self._sessions, OutboxRow, OutboxRow.id == message_id, pending, worker=worker, **values
            )
            == 1
        )

    async def mark_sent(self, message_id: int, worker: str, now: datetime) -> bool:
        return await self._sent.mark(message_id, worker, now)

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

    async def release_orphans(self, gone: Callable[[str], bool]) -> int:
        """Free rows leased by processes that no longer run (sent at once by a process that then died)."""
        pending = OutboxRow.state == OutboxState.PENDING.value
        return await release_orphans(self._sessions, OutboxRow, pending, gone=gone)

    async def fail_chat(self, chat_id: int, error: str) -> int:
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.chat_id == chat_id, OutboxRow.state == OutboxState.PENDING.value)
            .values(state=OutboxState.FAILED.value, last_error=error[:_ERROR_LIMIT], lease_until=None)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            return rowcount(await session.execute(stmt))
