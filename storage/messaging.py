"""`SqlAlchemyOutbox`, `SqlAlchemyProcessedUpdates` and `SqlAlchemyDialogs`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, literal_column, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import Customer
from domain.outbox import OutboxMessage
from domain.ports import AlreadyHandled
from storage.customers import IN_DIALOG_COLUMNS, SqlAlchemyCustomers
from storage.database.dialect import insert_or_ignore, insert_returning, upsert, upsert_rider
from storage.database.prepared import Prepared, Rider, take_riders
from storage.queues import read_along
from storage.queues.inbox import (
    PENDING,
    in_inbox,
    settle_in_transaction,
    settle_later,
    settle_params,
    settled_along,
    settling,
    take_settle_later,
)
from storage.tables import CartRow, CustomerRow, DialogRow, InboxRow, OutboxRow, ProcessedUpdateRow

__all__ = ["SqlAlchemyOutbox", "SqlAlchemyProcessedUpdates", "SqlAlchemyDialogs"]

_ONE = select(literal_column("1").label("one")).subquery("one")
_OUTBOX = cast(Table, OutboxRow.__table__)
# PostgreSQL: what a turn reads first, with its update's state in the inbox, in one plain read (sent without
# BEGIN); the dialog is joined on the id, so a first contact's stored dialog comes along too
_IN_DIALOG_WITH_UPDATE = Prepared(
    select(
        select(InboxRow.state)
        .where(InboxRow.update_id == bindparam("update_id"))
        .scalar_subquery()
        .label("inbox"),
        *IN_DIALOG_COLUMNS,
    ).select_from(
        _ONE.outerjoin(CustomerRow, CustomerRow.telegram_id == bindparam("telegram_id"))
        .outerjoin(DialogRow, DialogRow.user_id == bindparam("telegram_id"))
        .outerjoin(CartRow, CartRow.customer_id == bindparam("telegram_id"))
    )
)
_COLUMNS = (
    "chat_id", "payload", "edit_of", "dedupe_key", "state", "attempts", "next_attempt_at", "last_error",
    "created_at", "lease_until", "leased_by",
)  # fmt: skip
_LAST_KEPT = 64  # shapes of a turn's last statement; a bound keeps a mistake from growing without end
_LAST: dict[tuple[int, tuple[Rider, ...]], Prepared] = {}  # by how many replies, and the riders' kinds


def _settling_replies(count: int, riders: tuple[Rider, ...] = ()) -> Prepared:
    """PostgreSQL: a turn's `count` replies (held, no dedupe key), its riders' writes (parameters `r{n}_...`)
    and its update settled, in one statement; the replies and the riders are written only when the update
    was still pending. Rows: how many updates it settled, and the new ids in the order of the replies (one
    row, id NULL, when none was written)."""
    prepared = _LAST.get((count, riders))
    if prepared is None:
        settled = settled_along()
        gate = exists(select(settled.c.update_id))
        sources = [
            select(*(bindparam(f"{name}_{n}", type_=_OUTBOX.c[name].type) for name in _COLUMNS)).where(gate)
            for n in range(count)
        ]
        source = sources[0] if count == 1 else union_all(*sources)
        added = insert(_OUTBOX).from_select(_COLUMNS, source).returning(_OUTBOX.c.id).cte("added")
        counted = select(func.count()).select_from(settled).scalar_subquery().label("settled")
        query = select(counted, added.c.id).select_from(_ONE.outerjoin(added, true())).order_by(added.c.id)
        if riders:  # WITH queries nothing reads: PostgreSQL runs each to its end all the same
            query = query.add_cte(
                *(rider.build(gate, f"r{n}_").cte(f"rider{n}") for n, rider in enumerate(riders))
            )
        if len(_LAST) >= _LAST_KEPT:
            _LAST.clear()
        prepared = _LAST[count, riders] = Prepared(query)
    return prepared


_CLEAR_DIALOG = Rider(
    cast(Table, DialogRow.__table__),
    lambda gate, prefix: delete(DialogRow).where(DialogRow.user_id == bindparam(f"{prefix}user_id"), gate),
    names=["user_id"],
)
_SET_DIALOG = upsert_rider(
    DialogRow.__table__,
    {"user_id": None, "state": None, "data": None, "updated_at": func.now()},
    ["user_id"],
    forget={"message_id": "state"},
    # the same question again (the review shown as it is entered): the question's message is kept or
    # forgotten as the first of the two would have done
    replaces=lambda earlier, later: (
        (earlier["user_id"], earlier["state"]) == (later["user_id"], later["state"])
    ),
)


class SqlAlchemyOutbox:
    def __init__(self, session: AsyncSession, worker: str = "") -> None:
        self.session = session
        self.worker = worker  # holds the rows written with `held_until` (sent at once by this process)

    async def add(self, message: OutboxMessage) -> None:
        """Enqueue and set `message.id`; a message whose dedupe_key is already stored is dropped."""
        values = self._values(message)
        new_id = await insert_returning(self.session, _OUTBOX, values, ["dedupe_key"], _OUTBOX.c.id)
        if new_id is not None:
            message.id = new_id

    async def add_replies(self, messages: Sequence[OutboxMessage]) -> None:
        """A turn's replies, its last writes, each given its `id`. On PostgreSQL, with the update a plain
        read found pending (`settle_later`), they go in one statement that settles it: a turn that only read
        sends neither BEGIN nor COMMIT (`Prepared.last`)."""
        update_id = take_settle_later(self.session)
        if update_id is None or not messages or any(m.dedupe_key or m.held_until is None for m in messages):
            if update_id is not None:
                settle_later(self.session, update_id)  # settled before the commit (`settle_left`)
            for message in messages:
                await self.add(message)
            return
        values = settle_params(update_id)
        for n, message in enumerate(messages):
            values.update((f"{name}_{n}", value) for name, value in self._values(message).items())
        riders = take_riders(self.session)
        for n, (_rider, written) in enumerate(riders):
            values.update((f"r{n}_{name}", value) for name, value in written.items())
        last = _settling_replies(len(messages), tuple(rider for rider, _ in riders))
        rows = await last.last(self.session, values)
        if not rows[0].settled:
            raise AlreadyHandled(update_id)
        settling(self.session, update_id)
        for message, row in zip(messages, rows, strict=True):
            message.id = row.id

    def _values(self, message: OutboxMessage) -> dict[str, Any]:
        values = {
            "chat_id": message.chat_id,
            "payload": message.payload,
            "edit_of": message.edit_of,
            "dedupe_key": message.dedupe_key,
            "state": str(message.state),
            "attempts": message.attempts,
            "next_attempt_at": message.next_attempt_at,
            "last_error": message.last_error,
            "created_at": message.created_at,
        }
        if message.held_until is not None:  # a turn's reply, sent at once by this process
            values.update(lease_until=message.held_until, leased_by=self.worker)
        return values


class SqlAlchemyProcessedUpdates:
    def __init__(self, session: AsyncSession, customers: SqlAlchemyCustomers | None = None) -> None:
        self.session = session
        self._customers = customers or SqlAlchemyCustomers(session)

    async def first_time(self, update_id: int, at: datetime, *, failed: bool = False) -> bool:
        """True once per update: this transaction records it as handled (done, or `failed`).

        An update from the inbox is recorded by its inbox row, settled here (iff this commits): one
        statement. One whose inbox row is settled already was handled by another turn (a lease that ran
        out while a slow handler still had it); one the inbox never saw gets a processed-update row,
        stamped `at` (the prune job deletes it by age)."""
        if await settle_in_transaction(self.session, update_id, failed=failed):
            return True
        return not await in_inbox(self.session, update_id) and await self._unseen(update_id, at)

    async def first_time_in_dialog(
        self, update_id: int, at: datetime, telegram_id: int
    ) -> tuple[bool, Customer | None, tuple[str, dict[str, Any]] | None]:
        """`first_time`, then (when it is) the customer and their dialog.

        On PostgreSQL they are read with the update's state in the inbox, in a plain read sent without
        BEGIN, unless the store that took the update read them along (`storage.queues.read_along`); an
        update found pending is settled by the turn's last write: its replies
        (`SqlAlchemyOutbox.add_replies`), or before its commit (`settle_left`). That write raises
        `AlreadyHandled` when another turn settled the update meanwhile."""
        if self.session.get_bind().dialect.name != "postgresql":
            if not await self.first_time(update_id, at):
                return False, None, None
            return True, *await self._customers.get_in_dialog(telegram_id)
        along = read_along.take(self.session, update_id, telegram_id)
        if along is not None:  # read as the store took the update for this process: pending
            settle_later(self.session, update_id)
            return True, *self._customers.in_dialog(along)
        row = await _IN_DIALOG_WITH_UPDATE.first(
            self.session, {"telegram_id": telegram_id, "update_id": update_id}
        )
        if row.inbox == PENDING:
            settle_later(self.session, update_id)
        elif row.inbox is not None or not await self._unseen(update_id, at):
            return False, None, None
        return True, *self._customers.in_dialog(row)

    async def _unseen(self, update_id: int, at: datetime) -> bool:
        """An update the inbox never saw, recorded by a processed-update row of its own (False: it was)."""
        values = {"update_id": update_id, "processed_at": at}
        return await insert_or_ignore(self.session, ProcessedUpdateRow.__table__, values, ["update_id"])


class SqlAlchemyDialogs:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> tuple[str, dict[str, Any]] | None:
        row = (
            await self.session.execute(
                select(DialogRow.state, DialogRow.data).where(DialogRow.user_id == user_id)
            )
        ).first()
        return (row.state, dict(row.data)) if row else None

    async def set(self, user_id: int, state: str, data: dict[str, Any]) -> None:
        if await _SET_DIALOG.ride(self.session, {"user_id": user_id, "state": state, "data": dict(data)}):
            return
        values = {"user_id": user_id, "state": state, "data": dict(data), "updated_at": func.now()}
        await upsert(self.session, DialogRow.__table__, values, ["user_id"], forget={"message_id": "state"})

    async def message_of(self, user_id: int) -> int | None:
        """The message showing the user's open question, if its delivery was recorded."""
        return await self.session.scalar(select(DialogRow.message_id).where(DialogRow.user_id == user_id))

    async def clear(self, user_id: int) -> None:
        if not await _CLEAR_DIALOG.ride(self.session, {"user_id": user_id}):
            await self.session.execute(delete(DialogRow).where(DialogRow.user_id == user_id))

    async def in_states(self, states: Sequence[str]) -> list[tuple[int, str, dict[str, Any]]]:
        query = select(DialogRow.user_id, DialogRow.state, DialogRow.data).where(DialogRow.state.in_(states))
        return [(row.user_id, row.state, dict(row.data)) for row in await self.session.execute(query)]
