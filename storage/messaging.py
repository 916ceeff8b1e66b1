"""`SqlAlchemyOutbox`, `SqlAlchemyProcessedUpdates` and `SqlAlchemyDialogs`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.customer import Customer
from domain.outbox import OutboxMessage
from storage.customers import IN_DIALOG_COLUMNS, SqlAlchemyCustomers
from storage.database.dialect import insert_or_ignore, insert_returning, upsert
from storage.database.prepared import Prepared
from storage.queues.inbox import in_inbox, settle_in_transaction, settle_params, settled_along, settling
from storage.tables import CartRow, CustomerRow, DialogRow, OutboxRow, ProcessedUpdateRow

__all__ = ["SqlAlchemyOutbox", "SqlAlchemyProcessedUpdates", "SqlAlchemyDialogs"]

_SETTLED = settled_along()
_ONE = select(literal_column("1").label("one")).subquery("one")
# PostgreSQL: a turn's update settled in the same round trip as the customer's read (a WITH query may
# write there); the dialog is joined on the id, so a first contact's stored dialog comes along too
_SETTLING_IN_DIALOG = Prepared(
    select(
        select(func.count()).select_from(_SETTLED).scalar_subquery().label("settled"), *IN_DIALOG_COLUMNS
    ).select_from(
        _ONE.outerjoin(CustomerRow, CustomerRow.telegram_id == bindparam("telegram_id"))
        .outerjoin(DialogRow, DialogRow.user_id == bindparam("telegram_id"))
        .outerjoin(CartRow, CartRow.customer_id == bindparam("telegram_id"))
    )
)


class SqlAlchemyOutbox:
    def __init__(self, session: AsyncSession, worker: str = "") -> None:
        self.session = session
        self.worker = worker  # holds the rows written with `held_until` (sent at once by this process)

    async def add(self, message: OutboxMessage) -> None:
        """Enqueue and set `message.id`; a message whose dedupe_key is already stored is dropped."""
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
        if message.held_until is not None:
            values.update(lease_until=message.held_until, leased_by=self.worker)
        new_id = await insert_returning(
            self.session, OutboxRow.__table__, values, ["dedupe_key"], OutboxRow.__table__.c.id
        )
        if new_id is not None:
            message.id = new_id


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
        return await self._outside_inbox(update_id, at)

    async def first_time_in_dialog(
        self, update_id: int, at: datetime, telegram_id: int
    ) -> tuple[bool, Customer | None, tuple[str, dict[str, Any]] | None]:
        """`first_time`, then (when it is) the customer and their dialog. On PostgreSQL an update pending in
        the inbox is settled by the statement that reads them: a round trip less on every turn."""
        if self.session.get_bind().dialect.name != "postgresql":
            if not await self.first_time(update_id, at):
                return False, None, None
            return True, *await self._customers.get_in_dialog(telegram_id)
        values = {"telegram_id": telegram_id, **settle_params(update_id)}
        row = await _SETTLING_IN_DIALOG.first(self.session, values)
        if row.settled:
            settling(self.session, update_id)
        elif not await self._outside_inbox(update_id, at):
            return False, None, None
        return True, *self._customers.in_dialog(row)

    async def _outside_inbox(self, update_id: int, at: datetime) -> bool:
        """Not pending in the inbox: settled already (False), or an update the inbox never saw, recorded
        by a processed-update row of its own."""
        if await in_inbox(self.session, update_id):
            return False
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
        values = {"user_id": user_id, "state": state, "data": dict(data), "updated_at": func.now()}
        await upsert(self.session, DialogRow.__table__, values, ["user_id"], forget={"message_id": "state"})

    async def message_of(self, user_id: int) -> int | None:
        """The message showing the user's open question, if its delivery was recorded."""
        return await self.session.scalar(select(DialogRow.message_id).where(DialogRow.user_id == user_id))

    async def clear(self, user_id: int) -> None:
        await self.session.execute(delete(DialogRow).where(DialogRow.user_id == user_id))

    async def in_states(self, states: Sequence[str]) -> list[tuple[int, str, dict[str, Any]]]:
        query = select(DialogRow.user_id, DialogRow.state, DialogRow.data).where(DialogRow.state.in_(states))
        return [(row.user_id, row.state, dict(row.data)) for row in await self.session.execute(query)]
