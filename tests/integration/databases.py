"""Throwaway databases for storage tests: a SQLite file, or a fresh PostgreSQL database per use when
SHOPBOT_TEST_POSTGRES_URL is set (created and dropped here, so runs never see each other's rows)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.database.base import Base

__all__ = ["POSTGRES_URL", "KINDS", "temporary_database", "engine_for", "sessions_for"]

POSTGRES_URL = os.environ.get("SHOPBOT_TEST_POSTGRES_URL")
KINDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")),
]


def engine_for(url: str) -> AsyncEngine:
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(connection, _record) -> None:  # noqa: ANN001
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


@asynccontextmanager
async def temporary_database(kind: str, tmp_path: Path, *, tables: bool = True) -> AsyncIterator[str]:
    """Yield the URL of an empty database, with every table of `Base` unless `tables=False`."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
        dropper = None
    else:
        assert POSTGRES_URL, "SHOPBOT_TEST_POSTGRES_URL is not set"
        name = f"shopbot_test_{uuid.uuid4().hex[:12]}"
        dropper = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with dropper.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = engine_for(url)
    try:
        if tables:
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
        await engine.dispose()
        yield url
    finally:
        await engine.dispose()
        if dropper is not None:
            async with dropper.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await dropper.dispose()


@asynccontextmanager
async def sessions_for(
    kind: str, tmp_path: Path, *, tables: bool = True
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh database of `kind` ("sqlite" or "postgres")."""
    async with temporary_database(kind, tmp_path, tables=tables) as url:
        engine = engine_for(url)
        try:
            yield async_sessionmaker(engine, expire_on_commit=False)
        finally:
            await engine.dispose()
