"""Leasing rows to one worker at a time: the claim and the conditional release shared by the outbox
queue and the shipment poller; `mark_once`, the claim underneath, also marks idle carts reminded.

The claim is one `WITH due AS MATERIALIZED (SELECT key ... LIMIT n FOR UPDATE SKIP LOCKED)
UPDATE ... SET lease_until, leased_by WHERE key among due AND <still free> RETURNING *`
(`storage.database.dialect.among`: a key lookup, however few rows the statistics expect). On PostgreSQL
concurrent workers claim disjoint rows without waiting (the CTE is materialized: as a plain
IN-subquery the planner may re-scan it, and each SKIP LOCKED re-scan claims rows past the limit). On
SQLite the single statement runs under the write lock and FOR UPDATE is not rendered; the repeated
"still free" condition keeps a row from being claimed twice either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from storage.database.dialect import among, rowcount

__all__ = ["claim", "mark_once", "release", "release_orphans"]

Row = TypeVar("Row")


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
