"""A database for the analytics tests: every table (payments' and the funnel's too) on SQLite and, when
SHOPBOT_TEST_POSTGRES_URL is set, on a PostgreSQL database of this run's own, dropped at the end.

The schema comes from the models (`create_all`), not the migrations: the funnel and payment tables join
the migrations when the lead regenerates them.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.payments  # noqa: F401  (payment_attempts on Base.metadata)
import storage.tables  # noqa: F401
from storage.base import Base
from storage.engine import create_engine, dispose

POSTGRES_ENV = "SHOPBOT_TEST_POSTGRES_URL"


async def _run(url: str, *statements: str) -> None:
    """Statements outside a transaction (CREATE DATABASE, TRUNCATE)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for sql in statements:
                await connection.exec_driver_sql(sql)
    finally:
        await dispose(engine)


async def _create_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    finally:
        await dispose(engine)


@pytest.fixture(scope="session")
def analytics_postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"shopbot_analytics_{secrets.token_hex(4)}"
    asyncio.run(_run(server, f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_create_tables(url))
        yield url
    finally:
        asyncio.run(_run(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def figures_db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database with every table, for this test."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
        asyncio.run(_create_tables(url))
        return url
    url = request.getfixturevalue("analytics_postgres_url")
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    asyncio.run(_run(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return url


@pytest.fixture
async def figures_engine(figures_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(figures_db_url)
    try:
        yield engine
    finally:
        await dispose(engine)
