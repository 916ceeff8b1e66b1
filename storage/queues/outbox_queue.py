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

from sqlalchemy import BigInteger, String, Table, any_, bindparam, column, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
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
_MARK_SENT: dict[int, Prepared] = {}  # SQLite, by how many ids: one statement per size, compiled once


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


# PostgreSQL: the ids, and the questions' messages, as arrays: one statement whatever the batch holds, so
# each connection prepares it once (a statement per size of batch filled asyncpg's caches: +10 MiB)
_MARK_ANY = Prepared(
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))),
        _OUTBOX.c.leased_by == bindparam("worker"),
        _OUTBOX.c.state == OutboxState.PENDING.value,
    )
    .values(state=OutboxState.SENT.value, sent_at=bindparam("at"), lease_until=None, leased_by=None)
    .returning(_OUTBOX.c.id)
)
_MARKED = _MARK_ANY.statement.cte("marked")
_ASKED = (
    func.unnest(
        bindparam("asked_users", type_=ARRAY(BigInteger)),
        bindparam("asked_states", type_=ARRAY(String)),
        bindparam("asked_in", type_=ARRAY(BigInteger)),
        bindparam("asked_by", type_=ARRAY(BigInteger)),
    )
    .table_valued(
        column("user_id", BigInteger),
        column("state", String),
        column("shown_in", BigInteger),
        column("outbox_id", BigInteger),
    )
    .render_derived()
)
# `_MARK_ANY` and each marked reply's question recorded in its dialog (`_SHOWN_IN`), in one statement (a WITH
# query may write there; PostgreSQL runs it though nothing reads it)
_MARK_ANY_SHOWING = Prepared(
    select(_MARKED.c.id).add_cte(
        update(_DIALOGS)
        .where(
            _DIALOGS.c.user_id == _ASKED.c.user_id,
            _DIALOGS.c.state == _ASKED.c.state,
            _ASKED.c.outbox_id.in_(select(_MARKED.c.id)),
        )
        .values(message_id=_ASKED.c.shown_in)
        .cte("shown")
    )
)


def _mark_values(ids: list[int], worker: str, at: datetime) -> dict[str, Any]:
    return {**{f"id_{n}": message_id for n, message_id in enumerate(ids)}, "worker": worker, "at": at}


def _asked_values(questions: list[tuple[int, _Question]]) -> dict[str, Any]:
    return {
        "asked_users": [user_id for _, (user_id, _, _) in questions],
        "asked_states": [state for _, (_, state, _) in questions],
        "asked_in": [shown_in for _, (_, _, shown_in) in questions],
        "asked_by": [message_id for message_id, _ in questions],
    }


def _mark_sent_with(sessions: async_sessionmaker[AsyncSession]) -> Coalesced[_Mark, bool]:
    """Marks of replies sent at about the same time in one transaction: one UPDATE per worker and up to
    `_MARKS_AT_ONCE` ids (sent_at: the latest time among them); each mark learns whether its row was still
    its worker's to mark. A marked reply that shows a customer's question records its message id there."""

    bind = sessions.kw.get("bind")
    postgres = bind is not None and bind.dialect.name == "postgresql"

    def marking(worker: str, chunk: list[int], at: datetime) -> tuple[Prepared, dict[str, Any]]:
        if postgres:
            return _MARK_ANY, {"ids": chunk, "worker": worker, "at": at}
        return _mark_sent(len(chunk)), _mark_values(chunk, worker, at)

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
                statement, values = marking(*chunks[0], at)
                marked.update(row[0] for row in await statement.alone(session, values))
            elif len(chunks) == 1 and postgres and len({q[:2] for _, q in questions}) == len(questions):
                _, values = marking(*chunks[0], at)  # replies showing questions, one per dialog
                rows = await _MARK_ANY_SHOWING.alone(session, {**values, **_asked_values(questions)})
                marked.update(row[0] for row in rows)
            else:
                async with session.begin():
                    for worker, chunk in chunks:
                        statement, values = marking(worker, chunk, at)
                        marked.update(row[0] for row in await statement.rows(session, values))
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
