"""Leasing rows to one worker at a time: the claim and the conditional release shared by the outbox
queue and the shipment poller; `mark_once`, the claim underneath, also marks idle carts reminded.

The claim is one `WITH due AS MATERIALIZED (SELECT key ... LIMIT n FOR UPDATE SKIP LOCKED)
UPDATE ... SET lease_until, leased_by WHERE key among due AND <still free> RETURNING *` (`among`: a key
lookup, however few rows the statistics expect). On PostgreSQL
concurrent workers claim disjoint rows without waiting (the CTE is materialized: as a plain
IN-subquery the planner may re-scan it, and each SKIP LOCKED re-scan claims rows past the limit). On
SQLite the single statement runs under the write lock and FOR UPDATE is not rendered; the repeated
"still free" condition keeps a row from being claimed twice either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select
from sqlalchemy.sql.visitors import InternalTraversal

from storage.database.dialect import rowcount

__all__ = ["among", "claim", "mark_once", "release", "release_orphans"]

Row = TypeVar("Row")


class _Among(ColumnElement[bool]):
    """`key` is one of the keys `keys` (a SELECT of one column) gives (see `among`)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is (SQLite would otherwise compare it with 1)
    _traverse_internals = [
        ("looked_up", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, key: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Select[Any]) -> None:
        self.looked_up = key.__clause_element__() if isinstance(key, InstrumentedAttribute) else key
        self.keys = keys


def among(key: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Select[Any]) -> ColumnElement[bool]:
    """`key IN (keys)`, which PostgreSQL runs without a plan built on how many rows `keys` gives.

    On PostgreSQL it reads `key = ANY(ARRAY(keys))`: the keys are found once, and rows are then looked up
    by key (or filtered through a hash of the keys). As `IN (keys)`, the planner joined the subquery
    according to its estimates, and a queue's statistics count few waiting rows (the usual case), so a
    burst of waiting rows got plans that read them again for each candidate (see the inbox's claim)."""
    return _Among(key, keys)


@compiles(_Among)
def _key_in(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.looked_up.in_(element.keys), **kw)


@compiles(_Among, "postgresql")
def _key_any(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    looked_up, keys = compiler.process(element.looked_up, **kw), compiler.process(element.keys, **kw)
    return f"{looked_up} = ANY(ARRAY({keys}))"


def free_at(model: Any, now: datetime) -> ColumnElement[bool]:
    return or_(model.lease_until.is_(None), model.lease_until < now)


async def mark_once(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Row],
    key: InstrumentedAttribute[Any],
    *,
    due: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    **values: Any,
) -> list[Row]:
    """Set `values` on up to `limit` rows matching `due`, in one statement; rows `values` take out of
    `due` go to one caller only, however many run at once. The rows as updated."""
    chosen = (
        select(key)
        .where(*due)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED")
    )
    stmt = (
        update(model)
        .where(among(key, select(chosen.c[key.key])), *due)
        .values(**values)
        .returning(model)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as session, session.begin():
        return list((await session.execute(stmt)).scalars().all())


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Row],
    key: InstrumentedAttribute[Any],
    *,
    due: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    now: datetime,
    until: datetime,
    worker: str,
    limit: int,
) -> list[Row]:
    """Lease up to `limit` rows matching `due` (and free at `now`) to `worker` until `until`."""
    free = free_at(model, now)
    return await mark_once(
        sessions,
        model,
        key,
        due=[*due, free],
        order_by=order_by,
        limit=limit,
        lease_until=until,
        leased_by=worker,
    )


async def release(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Row],
    *where: ColumnElement[bool],
    worker: str,
    **values: Any,
) -> int:
    """Apply `values` and drop the lease on rows matching `where` that `worker` still holds."""
    stmt = (
        update(model)
        .where(*where, model.leased_by == worker)  # type: ignore[attr-defined]
        .values(lease_until=None, leased_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as session, session.begin():
        return rowcount(await session.execute(stmt))


async def release_orphans(
    sessions: async_sessionmaker[AsyncSession],
    model: type[Row],
    *where: ColumnElement[bool],
    gone: Callable[[str], bool],
) -> int:
    """Drop the leases on rows matching `where` whose holder `gone` says no longer runs; how many."""
    leased_by = model.leased_by  # type: ignore[attr-defined]
    async with sessions() as session, session.begin():
        holders = await session.scalars(select(leased_by).where(*where, leased_by.is_not(None)).distinct())
        dead = [worker for worker in holders if worker and gone(worker)]
        if not dead:
            return 0
        stmt = (
            update(model)
            .where(*where, leased_by.in_(dead))
            .values(lease_until=None, leased_by=None)
            .execution_options(synchronize_session=False)
        )
        return rowcount(await session.execute(stmt))
