"""The migrations (run once per session by the fixtures) build exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import storage.tables  # noqa: F401
from storage.base import Base
from storage.engine import create_engine, dispose
from storage.migrate import upgrade_with


async def test_migrated_schema_matches_the_table_models(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await dispose(engine)
    assert diff == []


async def test_a_running_application_can_migrate_through_its_own_engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        await upgrade_with(engine)
        await upgrade_with(engine)  # already at head: nothing to do
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await dispose(engine)
    assert set(Base.metadata.tables) <= tables
