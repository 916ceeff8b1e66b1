"""Column types shared by the table modules (beyond `storage.database.base.UtcDateTime`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, Integer
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["Json", "BigId"]


class _Json(TypeDecorator[Any]):
    """JSONB on PostgreSQL, JSON text elsewhere. The PostgreSQL dialect's modules are imported only by a
    process that talks to PostgreSQL (a SQLite shop keeps their ~3 MiB out of memory)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


Json = _Json()

# A 64-bit surrogate key that still autoincrements on SQLite (only INTEGER PRIMARY KEY does there).
BigId = BigInteger().with_variant(Integer(), "sqlite")
