"""`OutboxQueue` over SQLAlchemy: lease due rows atomically (`storage/queues/leases.py`), settle them only
while holding the lease, so a relay whose lease ran out cannot overwrite another relay's work.

Marking rows sent is the one settle that comes once per reply: the marks of replies sent at about the same
time share one statement (`storage.queues.coalesce`): the first mark goes at once, and those that arrive
while it waits for the database (behind the turns holding SQLite's write lock) go together in the next.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.outbox import OutboxMessage, OutboxState
from storage.database.constants import in_sql
from storage.database.dialect import rowcount
from storage.database.prepared import Prepared
from storage.queues.coalesce import Coalesced
from storage.queues.leases import claim, release, release_orphans
from storage.queues.outbox_table import OutboxRow
from storage.tables import DialogRow

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
_Question = tuple[int, str, int]  # user id, dialog state, the message showing it
_Mark = tuple[int, str, datetime, _Question | None]  # outbox id, worker, sent at, the question it shows
_MARKS_AT_ONCE = 32
_DIALOGS = cast(Table, DialogRow.__table__)
_SHOWN_IN = Prepared(  # a question's message, so that a wrong answer edits it in place (after a restart too)
    update(_DIALOGS)
    .where(_DIALOGS.c.user_id == bindparam("dialog_user"), _DIALOGS.c.state == bindparam("dialog_state"))
    .values(message_id=bindparam("shown_in"))
)
_MARK_SENT: dict[int, Prepared] = {}  # by how many ids: one statement per size, compiled once


def _mark_sent(size: int) -> Prepared:
    prepared = _MARK_SENT.get(size)
    if prepared is None:
        ids = [bindparam(f"id_{n}", type_=_OUTBOX.c.id.type) for n in range(size)]
        prepared = _MARK_SENT[size] = Prepared(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id.in_(ids),
                _OUTBOX.c.leased_by == bindparam("worker"),
                _OUTBOX.c.state == OutboxState.PENDING.value,
            )
            .values(state=OutboxState.SENT.value, sent_at=bindparam("at"), lease_until=None, leased_by=None)
            .returning(_OUTBOX.c.id)
        )
    return prepared


_MARK_SHOWING: dict[tuple[int, int], Prepared] = {}  # by how many ids and questions


def _mark_sent_showing(size: int, questions: int) -> Prepared:
    """PostgreSQL: `_mark_sent` and, for each of `questions` replies it marks, its question's message
    recorded in the dialog (`_SHOWN_IN`), in one statement (a WITH query may write there)."""
    prepared = _MARK_SHOWING.get((size, questions))
    if prepared is None:
        marked = cast(Update, _mark_sent(size).statement).cte("marked")
        shown = [
            update(_DIALOGS)
            .where(
                _DIALOGS.c.user_id == bindparam(f"dialog_user_{n}"),
                _DIALOGS.c.state == bindparam(f"dialog_state_{n}"),
                exists().where(marked.c.id == bindparam(f"question_{n}", type_=_OUTBOX.c.id.type)),
            )
            .values(message_id=bindparam(f"shown_in_{n}"))
            .cte(f"shown_{n}")
            for n in range(questions)
        ]
        statement = select(marked.c.id)
        for cte in shown:  # not read: PostgreSQL runs a data-modifying WITH query all the same
            statement = statement.add_cte(cte)
        prepared = _MARK_SHOWING[size, questions] = Prepared(statement)
    return prepared


def _mark_values(ids: list[int], worker: str, at: datetime) -> dict[str, Any]:
    return {**{f"id_{n}": message_id for n, message_id in enumerate(ids)}, "worker": worker, "at": at}


def _question_values(questions: list[tuple[int, _Question]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for n, (message_id, (user_id, state, shown_in)) in enumerate(questions):
        values.update(
            {f"question_{n}": message_id, f"dialog_user_{n}": user_id, f"dialog_state_{n}": state},
        )
        values[f"shown_in_{n}"] = shown_in
    return values


def _mark_sent_with(sessions: async_sessionmaker[AsyncSession]) -> Coalesced[_Mark, bool]:
    """Marks of replies sent at about the same time in one transaction: one UPDATE per worker and up to
    `_MARKS_AT_ONCE` ids (sent_at: the latest time among them); each mark learns whether its row was still
    its worker's to mark. A marked reply that shows a customer's question records its message id there."""

    bind = sessions.kw.get("bind")
    postgres = bind is not None and bind.dialect.name == "postgresql"

    async def write(batch: list[_Mark]) -> list[bool]:
        by_worker: dict[str, list[int]] = {}
        for message_id, worker, _, _ in batch:
            by_worker.setdefault(worker, []).append(message_id)
        at = max(when for _, _, when, _ in batch)
        chunks = [
            (worker, ids[start : start + _MARKS_AT_ONCE])
            for worker, ids in by_worker.items()
            for start in range(0, len(ids), _MARKS_AT_ONCE)
        ]
        questions = [(message_id, question) for message_id, _, _, question in batch if question is not None]
        marked: set[int] = set()
        async with sessions() as session:
            if len(chunks) == 1 and not questions:  # the usual case, one statement: on PostgreSQL alone
                worker, chunk = chunks[0]
                rows = await _mark_sent(len(chunk)).alone(session, _mark_values(chunk, worker, at))
                marked.update(row[0] for row in rows)
            elif len(chunks) == 1 and postgres:  # replies showing questions: one statement too
                worker, chunk = chunks[0]
                values = {**_mark_values(chunk, worker, at), **_question_values(questions)}
                rows = await _mark_sent_showing(len(chunk), len(questions)).alone(session, values)
                marked.update(row[0] for row in rows)
            else:
                async with session.begin():
                    for worker, chunk in chunks:
                        rows = await _mark_sent(len(chunk)).rows(session, _mark_values(chunk, worker, at))
                        marked.update(row[0] for row in rows)
                    for message_id, (user_id, state, shown_in) in questions:
                        if message_id in marked:
                            shown = {"dialog_user": user_id, "dialog_state": state, "shown_in": shown_in}
                            await _SHOWN_IN.run(session, shown)
        return [message_id in marked for message_id, _, _, _ in batch]

    return Coalesced(write)


class SqlAlchemyOutboxQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._mark_sent = _mark_sent_with(sessions)

    async def lease(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 50
    ) -> list[OutboxMessage]:
        rows = await claim(
            self._sessions,
            OutboxRow,
            OutboxRow.id,
            due=[
                OutboxRow.state == in_sql(OutboxState.PENDING.value),  # planned with the value: its index
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

    async def mark_sent(
        self, message_id: int, worker: str, now: datetime, *, question: _Question | None = None
    ) -> bool:
        return await self._mark_sent((message_id, worker, now, question))

    async def postpone(
        self,
        message_id: int,
        worker: str,
        at: datetime,
        *,
        error: str = "",
        payload: dict[str, Any] | None = None,
    ) -> bool:
        left = {} if payload is None else {"payload": payload}  # what is left to send
        return await self._settle(
            message_id, worker, next_attempt_at=at, last_error=error[:_ERROR_LIMIT], **left
        )

    async def retry(
        self, message_id: int, worker: str, at: datetime, error: str, *, payload: dict[str, Any] | None = None
    ) -> bool:
        left = {} if payload is None else {"payload": payload}  # what is left to send
        return await self._settle(
            message_id,
            worker,
            next_attempt_at=at,
            attempts=OutboxRow.attempts + 1,
            last_error=error[:_ERROR_LIMIT],
            **left,
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
