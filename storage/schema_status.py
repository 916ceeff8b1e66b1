"""Is the database reachable, and is its schema at the migrations' head? (`GET /readyz`)"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import WRITE_OPTION
from storage.migrate import alembic_config

__all__ = ["SchemaStatus", "schema_status", "migration_heads"]

_READ_ONLY = {WRITE_OPTION: False}  # no write lock on SQLite for a probe


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    reachable: bool
    current: frozenset[str]  # the revisions in `alembic_version`
    heads: frozenset[str]  # the revisions the code's migration scripts end at

    @property
    def ready(self) -> bool:
        return self.reachable and self.current == self.heads


def migration_heads() -> frozenset[str]:
    """Read once at start-up: the script directory does not change under a running process."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def schema_status(engine: AsyncEngine, heads: frozenset[str]) -> SchemaStatus:
    try:
        async with engine.connect() as connection:
            await connection.execution_options(**_READ_ONLY)
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            current = frozenset(row[0] for row in rows)
    except (SQLAlchemyError, OSError):
        # Unreachable, or reachable but never migrated (no alembic_version): not ready either way.
        return SchemaStatus(await _reachable(engine), frozenset(), heads)
    return SchemaStatus(True, current, heads)


async def _reachable(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execution_options(**_READ_ONLY)
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True
