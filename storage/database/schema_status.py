"""Is the database reachable, and is its schema at the migrations' head? (`GET /readyz`)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database.engine import WRITE_OPTION
from storage.database.revisions import migration_heads

__all__ = ["SchemaStatus", "schema_status", "migration_heads", "describe_schema", "sqlite_file", "shown_url"]

_READ_ONLY = {WRITE_OPTION: False}  # no write lock on SQLite for a probe


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    reachable: bool
    current: frozenset[str]  # the revisions in `alembic_version`
    heads: frozenset[str]  # the revisions the code's migration scripts end at

    @property
    def ready(self) -> bool:
        return self.reachable and self.current == self.heads


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


def describe_schema(status: SchemaStatus, where: str) -> str | None:
    """What an operator must do before the shop can use this database, in one line; None when ready."""
    if not status.reachable:
        return f"cannot reach the database at {where}; check SHOPBOT_DATABASE_URL and that the server runs"
    if not status.current:
        return f"the database at {where} is not set up; run `shopbot db upgrade`"
    if not status.ready:
        have, want = ", ".join(sorted(status.current)), ", ".join(sorted(status.heads))
        return (
            f"the database at {where} is at schema {have}, this shopbot needs {want}; "
            "run `shopbot db upgrade` (or the newer shopbot that migrated it)"
        )
    return None


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database is None or database in ("", ":memory:"):
        return None
    return Path(database)


def shown_url(url: str) -> str:
    """A database URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)
