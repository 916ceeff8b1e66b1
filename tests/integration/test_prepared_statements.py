"""Prepared statements run straight on the driver connection of the session's transaction (an inline SQLite
connection, or SQLAlchemy's asyncpg connection): they must behave as `session.execute` would — inside
that transaction, with SQLAlchemy's errors — and a PostgreSQL engine keeps a fixed set of connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database.engine import create_engine, dispose, session_factory
from storage.database.prepared import Prepared
from storage.queues.inbox import SqlAlchemyInbox
from storage.tables.catalog import CategoryRow
from tests.conftest import POSTGRES_ONLY
from tests.shops.storage import logged_on_postgresql

_ADD = Prepared(
    insert(CategoryRow).values(slug=bindparam("slug"), name=bindparam("name"), position=0, name_zh="")
)
_COUNT = Prepared(select(func.count()).select_from(CategoryRow).where(CategoryRow.slug == bindparam("slug")))


Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    try:
        yield session_factory(engine)
    finally:
        await dispose(engine)


async def test_a_prepared_write_is_undone_with_the_transaction_it_ran_in(sessions: Sessions):
    async with sessions() as session, session.begin():
        assert await _ADD.run(session, {"slug": "tea", "name": "Tea"}) == 1
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 1  # seen within its transaction
        await session.rollback()
    async with sessions() as session, session.begin():
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 0


async def test_a_prepared_statement_that_breaks_a_constraint_raises_sqlalchemys_error_without_values(
    sessions: Sessions,
):
    async with sessions() as session, session.begin():
        await _ADD.run(session, {"slug": "tea", "name": "Tea"})
    with pytest.raises(IntegrityError) as raised:
        async with sessions() as session, session.begin():
            await _ADD.run(session, {"slug": "tea", "name": "Secret Blend of Mrs Quince"})
    assert "Mrs Quince" not in str(raised.value)
    async with sessions() as session, session.begin():  # the engine carries on
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 1


async def test_a_statement_relying_on_a_python_side_default_is_refused_not_run_without_it(
    sessions: Sessions,
):
    short = Prepared(insert(CategoryRow).values(slug=bindparam("slug"), name=bindparam("name")))
    async with sessions() as session, session.begin():
        await session.connection()
        with pytest.raises(ValueError, match="default"):
            await short.run(session, {"slug": "tea", "name": "Tea"})


@POSTGRES_ONLY
async def test_a_burst_of_units_of_work_shares_a_fixed_set_of_postgresql_connections(database_url: str):
    engine = create_engine(database_url, pool_size=4)
    sessions = session_factory(engine)
    backends: set[int] = set()

    async def unit() -> None:
        async with sessions() as session, session.begin():
            backends.add(await session.scalar(text("SELECT pg_backend_pid()")))
            await asyncio.sleep(0.01)  # held, as a turn holds it, while the others ask for one

    try:
        for _ in range(3):  # three bursts, each far past the pool
            await asyncio.gather(*(unit() for _ in range(40)))
        assert len(backends) <= 4, "connections past the pool were opened (and closed again)"
    finally:
        await dispose(engine)


async def test_a_later_statement_that_breaks_a_constraint_raises_sqlalchemys_error_and_undoes_the_transaction(
    sessions: Sessions,
):
    """Past a transaction's first statement, PostgreSQL's statements go to asyncpg itself: its errors must
    still come as SQLAlchemy's, without the values, and leave the transaction to roll back whole."""
    async with sessions() as session, session.begin():
        await _ADD.run(session, {"slug": "tea", "name": "Tea"})
    with pytest.raises(IntegrityError) as raised:
        async with sessions() as session, session.begin():
            assert await _COUNT.scalar(session, {"slug": "tea"}) == 1  # the transaction's first statement
            await _ADD.run(session, {"slug": "mate", "name": "Mate"})
            await _ADD.run(session, {"slug": "tea", "name": "Secret Blend of Mrs Quince"})
    assert "Mrs Quince" not in str(raised.value)
    assert raised.value.orig is not None and "unique" in str(raised.value.orig).lower()
    async with sessions() as session, session.begin():  # mate went with the failed transaction
        assert await _COUNT.scalar(session, {"slug": "mate"}) == 0
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 1


Drop = Callable[[int], Awaitable[None]]


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[tuple[Sessions, Drop]]:
    """Sessions of an engine that keeps one connection, and a way to have the server drop a backend."""
    engine = create_engine(database_url, pool_size=1)
    killer = create_engine(database_url)

    async def drop(pid: int) -> None:
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    try:
        yield session_factory(engine), drop
    finally:
        await dispose(killer)
        await dispose(engine)


@POSTGRES_ONLY
async def test_a_connection_postgresql_drops_mid_transaction_is_replaced_for_the_next_unit_of_work(
    one_connection: tuple[Sessions, Drop],
):
    sessions, drop = one_connection
    with pytest.raises(DBAPIError) as raised:
        async with sessions() as session, session.begin():
            await _COUNT.scalar(session, {"slug": "tea"})  # begins the transaction
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
            await drop(pid)
            await _COUNT.scalar(session, {"slug": "tea"})
    assert raised.value.connection_invalidated
    async with sessions() as session, session.begin():  # the pool's one connection, opened again
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 0
        assert await session.scalar(text("SELECT pg_backend_pid()")) != pid


async def test_a_statement_run_alone_is_committed_when_it_returns(sessions: Sessions):
    async with sessions() as session:
        assert await _ADD.alone(session, {"slug": "tea", "name": "Tea"}) == []  # no RETURNING: no rows
    async with sessions() as session, session.begin():  # another session sees it: it was committed
        assert await _COUNT.scalar(session, {"slug": "tea"}) == 1
    async with sessions() as session:
        assert [tuple(row) for row in await _COUNT.alone(session, {"slug": "tea"})] == [(1,)]


async def test_a_statement_run_alone_that_breaks_a_constraint_raises_sqlalchemys_error_and_changes_nothing(
    database_url: str,
):
    engine = create_engine(database_url, pool_size=1)  # the next statement gets the same connection
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            await _ADD.alone(session, {"slug": "tea", "name": "Tea"})
        with pytest.raises(IntegrityError) as raised:
            async with sessions() as session:
                await _ADD.alone(session, {"slug": "tea", "name": "Secret Blend of Mrs Quince"})
        assert "Mrs Quince" not in str(raised.value)
        async with sessions() as session:  # the connection carries on, and nothing was left half done
            await _ADD.alone(session, {"slug": "mate", "name": "Mate"})
        async with sessions() as session, session.begin():
            assert await _COUNT.scalar(session, {"slug": "tea"}) == 1
            assert await _COUNT.scalar(session, {"slug": "mate"}) == 1
    finally:
        await dispose(engine)


@POSTGRES_ONLY
async def test_a_statement_run_alone_goes_to_postgresql_without_begin_and_commit(database_url: str):
    """One round trip instead of three: what the inbox's claims, a single stored update and the outbox's
    "sent" marks cost on PostgreSQL for every update (docs/benchmarks.md)."""
    engine = create_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    try:
        sent = await logged_on_postgresql(engine)
        async with sessions() as session:
            await _ADD.alone(session, {"slug": "tea", "name": "Tea"})
        async with sessions() as session:
            await _COUNT.alone(session, {"slug": "tea"})
        assert sent == ["INSERT", "SELECT"]
        sent.clear()
        async with sessions() as session, session.begin():  # a transaction as usual
            await _ADD.run(session, {"slug": "mate", "name": "Mate"})
        # (the write that begins a transaction is not seen: `logged_on_postgresql`)
        assert sent == ["BEGIN;", "COMMIT;"]
        sent.clear()
        inbox, now = SqlAlchemyInbox(sessions), datetime(2026, 12, 6, tzinfo=UTC)
        assert await inbox.store(1, 42, {"update_id": 1}, now)  # one update: stored alone
        assert [u.update_id for u in await inbox.claim(now, now + timedelta(minutes=2), "w1")] == [1]
        assert await inbox.claim(now, now + timedelta(minutes=2), "w1") == []  # the chat's one is in hand
        assert "BEGIN;" not in sent and "COMMIT;" not in sent and len(sent) == 3
    finally:
        await dispose(engine)


@POSTGRES_ONLY
async def test_reads_before_the_first_write_go_without_begin_and_a_last_write_alone_commits_the_whole(
    database_url: str,
):
    """A turn that only reads, then writes its replies: one round trip each, no BEGIN or COMMIT."""
    engine = create_engine(database_url, pool_size=1)
    sessions = session_factory(engine)
    try:
        sent = await logged_on_postgresql(engine)
        async with sessions() as session:
            assert await _COUNT.scalar(session, {"slug": "tea"}) == 0
            await _ADD.last(session, {"slug": "tea", "name": "Tea"})
            with pytest.raises(RuntimeError):  # committed already: nothing may follow but the commit
                await _COUNT.scalar(session, {"slug": "tea"})
            with pytest.raises(RuntimeError):
                await session.execute(text("DELETE FROM categories"))
            await session.commit()
        assert sent == ["SELECT", "INSERT"]
        sent.clear()
        async with sessions() as session:  # a write begins the transaction; the last statement joins it
            assert await _COUNT.scalar(session, {"slug": "tea"}) == 1
            await _ADD.run(session, {"slug": "mate", "name": "Mate"})
            assert await _COUNT.scalar(session, {"slug": "mate"}) == 1  # its own write, in the transaction
            await _ADD.last(session, {"slug": "oolong", "name": "Oolong"})
            await session.rollback()
        assert sent == ["SELECT", "BEGIN;", "SELECT", "INSERT", "ROLLBACK;"]  # the first INSERT: see above
        async with sessions() as session:
            found = await session.scalars(select(CategoryRow.slug).order_by(CategoryRow.slug))
            assert list(found) == ["tea"]  # the rolled back transaction kept nothing
    finally:
        await dispose(engine)


_LOCKED = Prepared(
    select(CategoryRow.slug).where(CategoryRow.slug == bindparam("slug")).with_for_update(nowait=True)
)


@POSTGRES_ONLY
async def test_a_locking_read_begins_the_transaction_and_holds_its_lock_until_the_end(sessions: Sessions):
    async with sessions() as session, session.begin():
        await _ADD.run(session, {"slug": "tea", "name": "Tea"})
    async with sessions() as holder:
        assert await _LOCKED.scalar(holder, {"slug": "tea"}) == "tea"
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            async with sessions() as other:
                await _LOCKED.scalar(other, {"slug": "tea"})
        assert await _COUNT.scalar(holder, {"slug": "tea"}) == 1
        await holder.rollback()
    async with sessions() as other:  # released with the transaction
        assert await _LOCKED.scalar(other, {"slug": "tea"}) == "tea"


@POSTGRES_ONLY
async def test_a_connection_postgresql_dropped_is_replaced_after_a_statement_run_alone_failed_on_it(
    one_connection: tuple[Sessions, Drop],
):
    sessions, drop = one_connection
    async with sessions() as session, session.begin():
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    await drop(pid)  # the pool's idle connection
    with pytest.raises(DBAPIError) as raised:
        async with sessions() as session:
            await _COUNT.alone(session, {"slug": "tea"})
    assert raised.value.connection_invalidated
    async with sessions() as session:  # the pool's one connection, opened again
        assert [tuple(row) for row in await _COUNT.alone(session, {"slug": "tea"})] == [(0,)]
