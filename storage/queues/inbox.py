"""The durable inbox of Telegram updates (`Inbox` over SQLAlchemy) and its table.

The webhook stores each update (deduplicated by `update_id`) before it answers 200, the poller each
`getUpdates` batch before the next call confirms it; processors claim from here. A claim is one
`UPDATE ... WHERE update_id among (SELECT ... LIMIT n) ... RETURNING` that takes, per chat, only the
oldest pending update (each chat's oldest found in one pass over the pending updates, so a claim's
cost grows with the updates waiting, not with their square), and only when no pending update of the chat
holds a lease (never taken, expired, or a retry whose time has come are free). A leased or retry-waiting
update holds its chat's other updates back: one chat is processed in order, one update at a time, even
when an earlier update is stored after a later one was taken.
On PostgreSQL the subquery takes `FOR UPDATE SKIP LOCKED`, so concurrent processors claim disjoint rows
without waiting; on SQLite the statement runs under the write lock.

A store made for a processor with room (`claim_along`) needs no claim: an update whose chat has nothing
pending is inserted already leased to that processor, the chat's later updates wait behind it as behind
any claimed one. (Two processes storing updates of one chat at the very same moment, each before it sees
the other's row, can each take theirs, as two claims at the same moment can; within one process stores
follow one another.) On PostgreSQL the store of a lone update of a private chat reads its turn's
customer, dialog and cart along (`storage.queues.read_along`).

`settle_in_transaction` marks an update done inside the handler's own unit of work, next to its
processed-update record, so "handled" and "done" commit together. A processor that wants to know whether
that commit settled the update (and so skip settling it again) sets `SETTLED` to a set of its own around
the handler: the unit of work adds the update ids its commit settled (`publish_settled`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    Integer,
    Table,
    Update,
    bindparam,
    case,
    exists,
    func,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import AlreadyHandled, ClaimAlong, ClaimSlots, InboxUpdate
from storage.customers import IN_DIALOG_COLUMNS
from storage.database.constants import in_sql
from storage.database.dialect import among, dialect_insert, insert_or_ignore, insert_returning, rowcount
from storage.database.engine import WRITE_OPTION
from storage.database.prepared import Prepared, let_ride
from storage.queues import read_along
from storage.queues.coalesce import Coalesced
from storage.queues.leases import release_orphans
from storage.tables import CartRow, CustomerRow, DialogRow
from storage.tables.inbox import DONE, FAILED, PENDING, InboxRow

__all__ = [
    "SqlAlchemyInbox",
    "settle_in_transaction",
    "settle_params",
    "settled_along",
    "settling",
    "settle_later",
    "settle_left",
    "take_settle_later",
    "in_inbox",
    "publish_settled",
    "SETTLED",
    "PENDING",
    "DONE",
    "FAILED",
]

SETTLED: ContextVar[set[int] | None] = ContextVar("settled_updates", default=None)
_SETTLING = "shopbot_settling"  # session.info key: update ids this transaction settles
_LATER = "shopbot_settle_later"  # session.info key: the update this transaction settles with its last write
_INBOX = cast(Table, InboxRow.__table__)
_PENDING = in_sql(PENDING)  # in the SQL text: the planner then uses the index of pending updates
# Statements of every update, built once (building one costs more CPU than SQLite takes to run it)
_SETTLE = Prepared(
    update(_INBOX)
    .where(_INBOX.c.update_id == bindparam("settled_id"), _INBOX.c.state == _PENDING)
    .values(state=bindparam("settled_as"), lease_until=None, leased_by=None)
)
# built before any statement is compiled: a compiled UPDATE's memoized columns (none) would pass to a copy
_SETTLE_ONE = Prepared(cast(Update, _SETTLE.statement).returning(_INBOX.c.update_id))
_FREE = or_(_INBOX.c.lease_until.is_(None), _INBOX.c.lease_until <= bindparam("claim_now"))
# Each chat's oldest pending update (an update without a chat is its own): one pass over the pending
# updates, whatever the statistics say. Checked per candidate instead (`NOT EXISTS` an earlier pending
# update of the chat, or the chat's `min` looked up), PostgreSQL planned from statistics that count few
# pending updates (the usual case, so always after a quiet hour) and scanned the pending updates again for
# each candidate: a claim's cost grew with the square of the updates waiting (884 buffers a claim with 200
# customers waiting in the load benchmark, 148 with 50).
# Only chats with no pending update leased: when Telegram delivers a chat's updates over parallel webhook
# connections, the later one may be stored and taken first; the earlier one, stored late, is the chat's
# oldest but waits until the one in hand is settled.
_HEADS = (
    select(func.min(_INBOX.c.update_id))
    .where(_INBOX.c.state == _PENDING)
    .group_by(func.coalesce(_INBOX.c.chat_id, -_INBOX.c.update_id))
    .having(func.max(case((_FREE, 0), else_=1)) == 0)
)
_DUE = (  # per chat only the oldest pending update, and only when its lease is free
    select(_INBOX.c.update_id)
    .where(_INBOX.c.state == _PENDING, _FREE, among(_INBOX.c.update_id, _HEADS))
    .order_by(_INBOX.c.update_id)
    .limit(bindparam("claim_limit", type_=Integer))
    .with_for_update(skip_locked=True)
    # a CTE, computed once: PostgreSQL may run a plain `IN (subquery ... LIMIT n)` again while it updates,
    # and then claim more than `limit` rows
    .cte("due")
    .prefix_with("MATERIALIZED")
)
# Looked up by key among the pending updates: PostgreSQL plans the statement once for every run, perhaps
# while the inbox is still small, and without `state = 'pending'` that plan may walk the whole table.
_CLAIM = Prepared(
    update(_INBOX)
    .where(among(_INBOX.c.update_id, select(_DUE.c.update_id)), _INBOX.c.state == _PENDING)
    .values(
        lease_until=bindparam("claim_until"),
        leased_by=bindparam("claim_worker"),
        attempts=_INBOX.c.attempts + 1,
    )
    .returning(_INBOX.c.update_id, _INBOX.c.chat_id, _INBOX.c.payload, _INBOX.c.attempts)
)
_TAKEN_VALUES = ("update_id", "chat_id", "payload", "received_at")  # `_taken`'s own, besides the lease
_FOUND = Prepared(select(_INBOX.c.update_id).where(_INBOX.c.update_id == bindparam("update_id")))


async def settle_in_transaction(session: AsyncSession, update_id: int, *, failed: bool = False) -> bool:
    """Mark the update done (or failed) in the caller's transaction; False when it is not pending in the
    inbox (it did not come through the inbox, or it is settled already)."""
    settled = await _SETTLE.run(session, settle_params(update_id, failed=failed))
    if not settled:
        return False
    settling(session, update_id)
    return True


def settled_along() -> CTE:
    """`settle_in_transaction`'s UPDATE as a WITH query (PostgreSQL), for a statement that reads along with
    it: its rows are the update ids it settled. Parameters: `settle_params`."""
    return _SETTLE_ONE.statement.cte("settled")


def settle_later(session: AsyncSession, update_id: int) -> None:
    """Leave `update_id`, found pending, to be settled by the transaction's last write (`take_settle_later`)
    or, when it writes nothing else, by `settle_left` before its commit (PostgreSQL: a turn that only reads
    then sends no BEGIN)."""
    session.info.setdefault(_LATER, []).append(update_id)
    let_ride(session)  # the turn's one-row writes may go with that last write


def take_settle_later(session: AsyncSession) -> int | None:
    """The update `settle_later` left, now the caller's to settle in its statement; None when there is
    none, or more than one (`settle_left` settles those)."""
    left: list[int] = session.info.get(_LATER, [])
    if len(left) != 1:
        return None
    del session.info[_LATER]
    return left[0]


async def settle_left(session: AsyncSession) -> None:
    """Settle what `settle_later` left and no write took, the last as the transaction's last statement."""
    left: list[int] = session.info.pop(_LATER, [])
    for n, update_id in enumerate(left):
        params = settle_params(update_id)
        last = n == len(left) - 1
        if not await (_SETTLE_ONE.last(session, params) if last else _SETTLE_ONE.rows(session, params)):
            raise AlreadyHandled(update_id)
        settling(session, update_id)


def settle_params(update_id: int, *, failed: bool = False) -> dict[str, Any]:
    return {"settled_id": update_id, "settled_as": FAILED if failed else DONE}


def settling(session: AsyncSession, update_id: int) -> None:
    """The session's transaction settled `update_id` (`publish_settled` tells the processor at commit)."""
    session.info.setdefault(_SETTLING, set()).add(update_id)


async def in_inbox(session: AsyncSession, update_id: int) -> bool:
    found = await _FOUND.scalar(session, {"update_id": update_id})
    return found is not None


def _claim_params(claim: ClaimAlong) -> dict[str, Any]:
    return {
        "claim_now": claim.now,
        "claim_until": claim.until,
        "claim_worker": claim.worker,
        "claim_limit": claim.limit,
    }


def _updates(rows: list[Any]) -> list[InboxUpdate]:
    claimed = [InboxUpdate(r.update_id, r.chat_id, dict(r.payload), r.attempts) for r in rows]
    return sorted(claimed, key=lambda u: u.update_id)


@cache
def _taken(insert: Callable[..., Any]) -> Prepared:
    """INSERT of a new update, leased to the claiming worker when its chat has no update pending (one
    still to take, in hand, or waiting to be retried); else waiting, as any stored update. An update
    without a chat is always free. `insert`: the database's own, for its ON CONFLICT."""
    return Prepared(_taken_insert(insert))


@cache
def _taken_reading(insert: Callable[..., Any]) -> Prepared:
    """`_taken` (PostgreSQL, a private chat), and with it what the update's turn reads first: the customer
    whose chat it is, their dialog and their cart (`storage.queues.read_along`). One row: `leased_by`
    (None: stored, not taken), then `IN_DIALOG_COLUMNS`."""
    taken = _taken_insert(insert).cte("taken")
    chat = bindparam("chat_id", type_=_INBOX.c.chat_id.type)
    return Prepared(
        select(taken.c.leased_by, *IN_DIALOG_COLUMNS).select_from(
            taken.outerjoin(CustomerRow, CustomerRow.telegram_id == chat)
            .outerjoin(DialogRow, DialogRow.user_id == chat)
            .outerjoin(CartRow, CartRow.customer_id == chat)
        )
    )


def _taken_insert(insert: Callable[..., Any]) -> Any:
    chat = select(
        exists().where(_INBOX.c.chat_id == bindparam("chat_id"), _INBOX.c.state == _PENDING).label("busy")
    ).subquery("chat")
    free = ~chat.c.busy
    source = (
        select(
            *(bindparam(name, type_=_INBOX.c[name].type) for name in _TAKEN_VALUES),
            _PENDING,
            case((free, 1), else_=0),
            case((free, bindparam("claim_until", type_=_INBOX.c.lease_until.type)), else_=null()),
            case((free, bindparam("claim_worker", type_=_INBOX.c.leased_by.type)), else_=null()),
        )
        .select_from(chat)
        .where(true())  # SQLite reads `INSERT ... SELECT ... ON CONFLICT` only with a WHERE
    )
    columns = [*_TAKEN_VALUES, "state", "attempts", "lease_until", "leased_by"]
    return (
        insert(_INBOX)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_INBOX.c.leased_by)
    )


def _taken_params(values: dict[str, Any], slot: ClaimAlong) -> dict[str, Any]:
    return {
        **{name: values[name] for name in _TAKEN_VALUES},
        "claim_until": slot.until,
        "claim_worker": slot.worker,
    }


def _took(returned: list[Any], values: dict[str, Any], claimed: list[InboxUpdate]) -> bool:
    """Whether `_taken` stored the update (not there yet); adds it to `claimed` when it took it too."""
    if returned and returned[0].leased_by is not None:
        claimed.append(InboxUpdate(values["update_id"], values["chat_id"], dict(values["payload"]), 1))
    return bool(returned)


@contextlib.asynccontextmanager
async def _no_slot() -> AsyncIterator[ClaimAlong | None]:
    yield None


def publish_settled(session: AsyncSession, *, committed: bool) -> None:
    """After the session's commit (or rollback): tell the processor in `SETTLED` what the commit settled."""
    settling = session.info.pop(_SETTLING, None)
    session.info.pop(_LATER, None)
    box = SETTLED.get()
    if committed and settling and box is not None:
        box.update(settling)


class SqlAlchemyInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # A single update's INSERT (and its lease): on PostgreSQL a statement alone (one round trip, not
        # three with BEGIN and COMMIT); on SQLite, where a statement alone is a transaction all the same,
        # it goes the way of a batch
        bind = sessions.kw.get("bind")
        self._one_by_one = bind is not None and bind.dialect.name == "postgresql"
        self._store_one = Coalesced(self._store)  # webhook requests arriving together share a commit
        self._slots: ClaimSlots = _no_slot

    def claim_along(self, slots: ClaimSlots) -> None:
        self._slots = slots

    async def store(
        self, update_id: int, chat_id: int | None, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Keep one update (a webhook's); True when it was new. Committed when this returns."""
        return await self._store_one((update_id, chat_id, payload, now))

    async def store_many(self, updates: list[tuple[int, int | None, dict[str, Any]]], now: datetime) -> int:
        """Keep a polled batch in one transaction; returns how many were new."""
        return sum(await self._store([(*update, now) for update in updates]))

    async def _store(self, updates: list[tuple[int, int | None, dict[str, Any], datetime]]) -> list[bool]:
        """One transaction for the batch, its rows inserted in update_id order: two processes storing
        batches that share updates (Telegram redelivering to another process) then take their row locks
        in the same order and never deadlock (PostgreSQL would abort one of them). While the slot
        `claim_along` gives has room, a new update whose chat has nothing pending is inserted already
        leased to it (`_taken`): no claim of its own. While updates wait unclaimed (`ClaimAlong.waiting`)
        the store claims instead, oldest first, as `claim` does. A single update on PostgreSQL goes in
        statements alone, without BEGIN and COMMIT. The slot learns what it took once committed."""
        rows: dict[int, dict[str, Any]] = {}
        for update_id, chat_id, payload, now in sorted(updates, key=lambda update: update[0]):
            if update_id not in rows:  # the same update twice in one batch: the first is kept
                rows[update_id] = {
                    "update_id": update_id,
                    "chat_id": chat_id,
                    "payload": payload,
                    "received_at": now,
                    "state": PENDING,
                    "attempts": 0,
                }
        async with self._slots() as slot:
            if len(rows) == 1 and self._one_by_one:
                new_by_id, claimed = await self._store_alone(next(iter(rows.values())), slot)
            else:
                new_by_id, claimed = await self._store_together(list(rows.values()), slot)
            if slot is not None:  # committed: the slot's owner starts them
                slot.claimed = claimed
                slot.stored = [(uid, rows[uid]["chat_id"]) for uid, new in new_by_id.items() if new]
        first = {update[0]: index for index, update in reversed(list(enumerate(updates)))}
        return [new_by_id[update[0]] and first[update[0]] == index for index, update in enumerate(updates)]

    async def _store_together(
        self, rows: list[dict[str, Any]], slot: ClaimAlong | None
    ) -> tuple[dict[int, bool], list[InboxUpdate]]:
        new_by_id: dict[int, bool] = {}
        claimed: list[InboxUpdate] = []
        async with self._sessions() as session, session.begin():
            for values in rows:
                if slot is not None and not slot.waiting and len(claimed) < slot.limit:
                    taken = await _taken(dialect_insert(session)).rows(session, _taken_params(values, slot))
                    new_by_id[values["update_id"]] = _took(taken, values, claimed)
                else:
                    new_by_id[values["update_id"]] = await insert_or_ignore(
                        session, _INBOX, values, ["update_id"]
                    )
            if slot is not None and slot.waiting and slot.limit:
                claimed = _updates(await _CLAIM.rows(session, _claim_params(slot)))
        return new_by_id, claimed

    async def _store_alone(
        self, values: dict[str, Any], slot: ClaimAlong | None
    ) -> tuple[dict[int, bool], list[InboxUpdate]]:
        claimed: list[InboxUpdate] = []
        async with self._sessions() as session:  # each statement alone, committed at once
            if slot is None or slot.waiting or not slot.limit:
                stored = await insert_returning(
                    session, _INBOX, values, ["update_id"], _INBOX.c.update_id, alone=True
                )
                if slot is not None and slot.limit:
                    claimed = _updates(await _CLAIM.alone(session, _claim_params(slot)))
                return {values["update_id"]: stored is not None}, claimed
            chat_id = values["chat_id"]
            private = chat_id is not None and chat_id > 0  # its turn reads the customer whose chat it is
            statement = (_taken_reading if private else _taken)(dialect_insert(session))
            taken = await statement.alone(session, _taken_params(values, slot))
            if private and taken and taken[0].leased_by is not None:
                read_along.keep(session.get_bind(), values["update_id"], chat_id, taken[0])  # type: ignore[arg-type]
        return {values["update_id"]: _took(taken, values, claimed)}, claimed

    async def claim(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 16
    ) -> list[InboxUpdate]:
        params = _claim_params(ClaimAlong(now, until, worker, limit))
        async with self._sessions() as session:  # one statement: on PostgreSQL without BEGIN and COMMIT
            return _updates(await _CLAIM.alone(session, params))

    async def _settle(self, update_id: int, worker: str, **values: object) -> bool:
        stmt = (
            update(InboxRow)
            .where(InboxRow.update_id == update_id, InboxRow.leased_by == worker, InboxRow.state == _PENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            return rowcount(await session.execute(stmt)) == 1

    async def finish(self, update_id: int, worker: str) -> bool:
        # Most updates were settled by the handler's own commit: look first, without the write lock.
        async with self._sessions() as session:
            await session.connection(execution_options={WRITE_OPTION: False})
            held = await session.scalar(
                select(InboxRow.update_id).where(
                    InboxRow.update_id == update_id, InboxRow.leased_by == worker, InboxRow.state == _PENDING
                )
            )
        if held is None:
            return False
        return await self._settle(update_id, worker, state=DONE, lease_until=None, leased_by=None)

    async def retry(self, update_id: int, worker: str, at: datetime) -> bool:
        return await self._settle(update_id, worker, lease_until=at, leased_by=None)

    async def fail(self, update_id: int, worker: str) -> bool:
        return await self._settle(update_id, worker, state=FAILED, lease_until=None, leased_by=None)

    async def release_orphans(self, gone: Callable[[str], bool]) -> int:
        """Free the leases of workers that `gone` says no longer run (a process killed mid-update), so
        their updates are taken again now rather than when the lease runs out. Returns how many."""
        return await release_orphans(self._sessions, InboxRow, InboxRow.state == _PENDING, gone=gone)

    async def backlog(self) -> int:
        async with self._sessions() as session, session.begin():
            count = await session.scalar(select(func.count()).where(InboxRow.state == _PENDING))
        return int(count or 0)
