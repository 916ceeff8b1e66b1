"""The two statements whose spelling differs between SQLite and PostgreSQL: INSERT ... ON CONFLICT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_or_ignore", "upsert"]


def _insert(session: AsyncSession, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database {name!r}")


def insert_or_ignore(session: AsyncSession, table: Table, values: dict[str, Any], key: Sequence[str]) -> Any:
    """INSERT that silently does nothing when a row with the same `key` exists."""
    return _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=list(key))


def upsert(session: AsyncSession, table: Table, values: dict[str, Any], key: Sequence[str]) -> Any:
    """INSERT, or UPDATE every non-key column of `values` when a row with the same `key` exists."""
    stmt = _insert(session, table).values(**values)
    changes = {col: stmt.excluded[col] for col in values if col not in key}
    return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
