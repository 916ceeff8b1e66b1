"""The two statements whose spelling differs between SQLite and PostgreSQL: INSERT ... ON CONFLICT; and
`rowcount`, how many rows such a statement (or an UPDATE, DELETE) touched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Result, case, null
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import FromClause, TableClause

__all__ = ["insert_or_ignore", "upsert", "rowcount"]


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (`AsyncSession.execute` is typed as returning rows; for
    these statements it returns a `CursorResult`)."""
    return cast(CursorResult[Any], result).rowcount


def _insert(session: AsyncSession, table: FromClause) -> Any:
    name = session.get_bind().dialect.name
    target = cast(TableClause, table)  # a mapped class's __table__, typed as any FromClause
    if name == "postgresql":
        return postgresql.insert(target)
    if name == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"unsupported database {name!r}")


def insert_or_ignore(
    session: AsyncSession, table: FromClause, values: dict[str, Any], key: Sequence[str]
) -> Any:
    """INSERT that silently does nothing when a row with the same `key` exists."""
    return _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=list(key))


def upsert(
    session: AsyncSession,
    table: FromClause,
    values: dict[str, Any],
    key: Sequence[str],
    *,
    forget: Mapping[str, str] | None = None,
) -> Any:
    """INSERT, or UPDATE every non-key column of `values` when a row with the same `key` exists.

    `forget` {column: watched}: the update also sets `column` to NULL when it changes `watched`, and keeps it
    when `watched` stays the same."""
    stmt = _insert(session, table).values(**values)
    changes = {col: stmt.excluded[col] for col in values if col not in key}
    for column, watched in (forget or {}).items():
        same = table.c[watched] == stmt.excluded[watched]
        changes[column] = case((same, table.c[column]), else_=null())
    return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
