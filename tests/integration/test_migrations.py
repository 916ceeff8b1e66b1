"""The migrations (run once per session by the fixtures) build exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage.tables  # noqa: F401
from storage.base import Base
from storage.engine import create_engine, dispose


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
