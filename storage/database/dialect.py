"""The statements whose spelling differs between SQLite and PostgreSQL: INSERT ... ON CONFLICT; `among`,
a key among a subquery's keys; and `rowcount`, how many rows such a statement (or an UPDATE, DELETE)
touched.

SQLAlchemy never caches the compiled form of a dialect's INSERT ... ON CONFLICT (its `inherit_cache` is
off), and compiling one costs more CPU than SQLite takes to run it; these statements run on every update
(the processed-update record, the outbox, the inbox). So each shape (table, columns, conflict key, what
it returns) is compiled once into a textual statement with typed parameters, which SQLAlchemy caches like
any other, and each call only passes its values.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ClauseElement,
    ColumnElement,
    CursorResult,
    Result,
    TextClause,
    bindparam,
    case,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy import insert as sql_insert
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import FromClause, TableClause
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select
from sqlalchemy.sql.visitors import InternalTraversal

from storage.database.prepared import Prepared, Rider

__all__ = [
    "among",
    "insert_or_ignore",
    "insert_returning",
    "upsert",
    "upsert_rider",
    "insert_rider",
    "RowsRider",
    "update_rider",
    "rowcount",
    "dialect_insert",
]

_DIALECTS = ("sqlite", "postgresql")
_SHAPES: dict[tuple[Any, ...], Any] = {}
_SHAPES_KEPT = 512  # a handful of call sites make these; a bound keeps a mistake from growing without end


class _Among(ColumnElement[bool]):
    """`key` is one of the keys `keys` (a SELECT of one column) gives (see `among`)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it is (SQLite would otherwise compare it with 1)
    _traverse_internals = [
        ("looked_up", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, key: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Select[Any]) -> None:
        self.looked_up = key.__clause_element__() if isinstance(key, InstrumentedAttribute) else key
        self.keys = keys


def among(key: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Select[Any]) -> ColumnElement[bool]:
    """`key IN (keys)`, which PostgreSQL runs without a plan built on how many rows `keys` gives.

    On PostgreSQL it reads `key = ANY(ARRAY(keys))`: the keys are found once, and rows are then looked up
    by key (or filtered through a hash of the keys). As `IN (keys)`, the planner joined the subquery
    according to its estimates, and a queue's statistics count few waiting rows (the usual case), so a
    burst of waiting rows got plans that read them again for each candidate (`storage.queues.inbox`)."""
    return _Among(key, keys)


@compiles(_Among)
def _key_in(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.looked_up.in_(element.keys), **kw)


@compiles(_Among, "postgresql")
def _key_any(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    looked_up, keys = compiler.process(element.looked_up, **kw), compiler.process(element.keys, **kw)
    return f"{looked_up} = ANY(ARRAY({keys}))"


def rowcount(result: Result[Any]) -> int:
    """Rows an INSERT, UPDATE or DELETE touched (`AsyncSession.execute` is typed as returning rows; for
    these statements it returns a `CursorResult`)."""
    return cast(CursorResult[Any], result).rowcount


async def insert_or_ignore(
    session: AsyncSession, table: FromClause, values: dict[str, Any], key: Sequence[str]
) -> bool:
    """INSERT that silently does nothing when a row with the same `key` exists; True when it inserted."""
    statement, params = _statement(session, table, values, key, update=False, returning=())
    return await statement.run(session, params) == 1


async def insert_returning(
    session: AsyncSession,
    table: FromClause,
    values: dict[str, Any],
    key: Sequence[str],
    column: ColumnElement[Any],
    *,
    alone: bool = False,
) -> Any:
    """`insert_or_ignore`, giving the new row's `column` (its generated id), or None when nothing was
    inserted. `alone`: the INSERT is a transaction of its own (`Prepared.alone`), committed on return."""
    statement, params = _statement(session, table, values, key, update=False, returning=(column,))
    if alone:
        rows = await statement.alone(session, params)
        return rows[0][0] if rows else None
    return await statement.scalar(session, params)


async def upsert(
    session: AsyncSession,
    table: FromClause,
    values: dict[str, Any],
    key: Sequence[str],
    *,
    forget: Mapping[str, str] | None = None,
) -> None:
    """INSERT, or UPDATE every non-key column of `values` when a row with the same `key` exists.

    `forget` {column: watched}: the update also sets `column` to NULL when it changes `watched`, and keeps
    it when `watched` stays the same."""
    statement, params = _statement(
        session, table, values, key, update=True, returning=(), forget=tuple((forget or {}).items())
    )
    await statement.run(session, params)


def _statement(
    session: AsyncSession,
    table: FromClause,
    values: dict[str, Any],
    key: Sequence[str],
    *,
    update: bool,
    returning: Sequence[ColumnElement[Any]],
    forget: tuple[tuple[str, str], ...] = (),
) -> tuple[Prepared, dict[str, Any]]:
    name = session.get_bind().dialect.name
    if name not in _DIALECTS:
        raise NotImplementedError(f"unsupported database {name!r}")
    params = {column: value for column, value in values.items() if not isinstance(value, ClauseElement)}
    # a value given as SQL (func.now()) is part of the statement's text, so part of its shape
    expressions = tuple((c, str(v)) for c, v in values.items() if isinstance(v, ClauseElement))
    returned = tuple(str(c) for c in returning)
    shape = (name, table, tuple(values), expressions, tuple(key), update, returned, forget)
    statement = _SHAPES.get(shape)
    if statement is None:
        statement = _compile(name, cast(TableClause, table), values, key, update, returning, forget)
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        _SHAPES[shape] = statement
    return statement, params


def _dialect_module(name: str) -> Any:
    """`sqlalchemy.dialects.sqlite` or `.postgresql`, imported when first used: a process loads only the
    dialect of its own database."""
    if name not in _DIALECTS:
        raise NotImplementedError(f"unsupported database {name!r}")
    return importlib.import_module(f"sqlalchemy.dialects.{name}")


def dialect_insert(session: AsyncSession) -> Any:
    """The `insert` of the session's database, the one with `on_conflict_do_nothing` / `_do_update`."""
    return _dialect_module(session.get_bind().dialect.name).insert


@cache
def _named(name: str) -> Any:
    """The dialect writing parameters as :name, the spelling `text()` reads."""
    return _dialect_module(name).dialect(paramstyle="named")


def _compile(
    name: str,
    table: TableClause,
    values: dict[str, Any],
    key: Sequence[str],
    update: bool,
    returning: Sequence[ColumnElement[Any]],
    forget: tuple[tuple[str, str], ...],
) -> Prepared:
    typed = {
        column: value if isinstance(value, ClauseElement) else bindparam(column, type_=table.c[column].type)
        for column, value in values.items()
    }
    statement = _on_conflict(
        _dialect_module(name).insert(table).values(typed), table, values, key, update, forget
    )
    if returning:
        statement = statement.returning(*returning)
    # PostgreSQL casts (`:addresses::JSONB`) are escaped so that `text()` reads `:addresses` as the parameter
    sql = str(statement.compile(dialect=_named(name))).replace("::", r"\:\:")
    params = [
        bindparam(c, type_=table.c[c].type) for c, v in values.items() if not isinstance(v, ClauseElement)
    ]
    textual: TextClause = text(sql).bindparams(*params)
    return Prepared(textual.columns(*returning) if returning else textual, tables=[table])


def _on_conflict(
    insert: Any,
    table: TableClause,
    values: Mapping[str, Any],
    key: Sequence[str],
    update: bool,
    forget: tuple[tuple[str, str], ...],
) -> Any:
    if not update:
        return insert.on_conflict_do_nothing(index_elements=list(key))
    changes: dict[str, Any] = {column: insert.excluded[column] for column in values if column not in key}
    for column, watched in forget:
        same = table.c[watched] == insert.excluded[watched]
        changes[column] = case((same, table.c[column]), else_=null())
    return insert.on_conflict_do_update(index_elements=list(key), set_=changes)


def upsert_rider(
    table: FromClause,
    values: Mapping[str, Any],
    key: Sequence[str],
    *,
    forget: Mapping[str, str] | None = None,
    replaces: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None,
) -> Rider:
    """`upsert` as a `Rider` (PostgreSQL): INSERT ... SELECT ... WHERE gate ON CONFLICT DO UPDATE, with a
    parameter for each column of `values` whose value is None, and the value itself for one given as SQL
    (`func.now()`)."""
    tabled = cast(TableClause, table)

    def build(gate: ColumnElement[bool], prefix: str) -> Any:
        source = _gated_row(tabled, values, gate, prefix)
        insert = _dialect_module("postgresql").insert(tabled).from_select(list(values), source)
        return _on_conflict(insert, tabled, values, key, True, tuple((forget or {}).items()))

    return Rider(tabled, build, names=_parameters(values), replaces=replaces)


def insert_rider(table: FromClause, names: Sequence[str]) -> Rider:
    """A plain INSERT of the columns `names` as a `Rider`: INSERT ... SELECT ... WHERE gate."""
    tabled = cast(TableClause, table)
    values = dict.fromkeys(names)

    def build(gate: ColumnElement[bool], prefix: str) -> Any:
        return sql_insert(tabled).from_select(list(names), _gated_row(tabled, values, gate, prefix))

    return Rider(tabled, build, names=names)


class RowsRider:
    """A plain INSERT of several rows of the columns `names` as a `Rider` (INSERT ... SELECT ... WHERE gate
    UNION ALL ...), one per number of rows; row `i`'s values are named `{column}_{i}`."""

    def __init__(self, table: FromClause, names: Sequence[str]) -> None:
        self.table = cast(TableClause, table)
        self.names = tuple(names)
        self._by_count: dict[int, Rider] = {}

    async def ride(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> bool:
        """`Rider.ride` for `rows` (none: nothing to write, True)."""
        if not rows:
            return True
        values = {f"{name}_{i}": row[name] for i, row in enumerate(rows) for name in self.names}
        return await self._of(len(rows)).ride(session, values)

    def _of(self, count: int) -> Rider:
        rider = self._by_count.get(count)
        if rider is None:
            table, names = self.table, self.names

            def build(gate: ColumnElement[bool], prefix: str) -> Any:
                rows = [
                    _gated_row(table, dict.fromkeys(names), gate, prefix, suffix=f"_{i}")
                    for i in range(count)
                ]
                return sql_insert(table).from_select(list(names), rows[0] if count == 1 else union_all(*rows))

            names_given = [f"{name}_{i}" for i in range(count) for name in names]
            rider = self._by_count[count] = Rider(table, build, names=names_given)
        return rider


def update_rider(table: FromClause, key: str, columns: Sequence[str]) -> Rider:
    """UPDATE `columns` of the row whose `key` is given, as a `Rider`: UPDATE ... WHERE key AND gate."""
    tabled = cast(TableClause, table)

    def build(gate: ColumnElement[bool], prefix: str) -> Any:
        changes = {c: bindparam(f"{prefix}{c}", type_=tabled.c[c].type) for c in columns}
        where = tabled.c[key] == bindparam(f"{prefix}{key}", type_=tabled.c[key].type)
        return sql_update(tabled).where(where, gate).values(changes)

    return Rider(tabled, build, names=[key, *columns])


def _parameters(values: Mapping[str, Any]) -> list[str]:
    return [column for column, value in values.items() if value is None]


def _gated_row(
    table: TableClause,
    values: Mapping[str, Any],
    gate: ColumnElement[bool],
    prefix: str,
    *,
    suffix: str = "",
) -> Select[Any]:
    """One row of `values` (a parameter for each None, named `prefix` + column + `suffix`), when `gate`
    holds."""
    row = [
        bindparam(prefix + column + suffix, type_=table.c[column].type) if value is None else value
        for column, value in values.items()
    ]
    return select(*row).where(gate)
