"""Shared fixtures: migrated databases and unit-of-work factories on real SQLite and PostgreSQL.

`uow_factory` is parametrized over ``sqlite`` and ``postgres``; a test using it runs once per backend:

    async def test_something(uow_factory):
        async with uow_factory() as uow:        # write=True; uow_factory(write=False) for reads
            ...
            await uow.commit()

Each backend's schema is built once per test session by the Alembic migrations (so every run proves they
work): SQLite in a temporary file, PostgreSQL in a fresh database ``shopbot_test_<random>`` created on the
server named by env ``SHOPBOT_TEST_POSTGRES_URL`` and dropped at the end. Without that variable the
``postgres`` parameter is skipped. Every test starts with empty tables.

Fixtures:
- ``database_url``: the URL of a migrated, emptied database for this test (sqlite or postgres param).
  Use it to build your own engine, or pass it to a subprocess.
- ``uow_factory``: a ``SqlAlchemyUnitOfWorkFactory`` on that database (engine disposed after the test).
- ``postgres_url``: the migrated PostgreSQL database only (skips without the env variable).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import delete
from sqlalchemy.engine import make_url

import storage.tables  # noqa: F401  (every table on Base.metadata)
from storage.database.base import Base
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

POSTGRES_ENV = "SHOPBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_session_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "shopbot.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"shopbot_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(server_url: str, sql: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(sql)
    finally:
        await dispose(engine)


# Tests of what only PostgreSQL can show (row locks, interleaved writers, several processes): SQLite write
# units of work run one at a time, so these are not parametrized over it at all.
POSTGRES_ONLY = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_session_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    asyncio.run(_empty_all_tables(url))
    return url


async def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(delete(table))
    finally:
        await dispose(engine)


@pytest.fixture
async def uow_factory(database_url: str) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:
    engine = create_engine(database_url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await dispose(engine)


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Commands under test configure logging onto pytest's capture streams; start every test afresh."""
    yield
    structlog.reset_defaults()
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)
