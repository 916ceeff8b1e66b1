"""Statements every update runs, compiled once and sent straight to an inline SQLite connection.

`session.execute(statement)` costs about 0.15 ms of CPU for a statement SQLite runs in a few microseconds:
the ORM's compile state, the execution context, the result object and its row processors are set up on
every call. The dozen statements of a customer's turn (their row, the cart, a product card, the inbox
and outbox rows) are fixed, so each is compiled once per dialect into its SQL text, the order of its
parameters and SQLAlchemy's own bind and result processors for their types, and run on the driver
connection of the session's open transaction. Rows come back as named tuples (`row.sku`, `row[0]`).

It applies only where it is the same as `session.execute`: an inline SQLite connection
(`storage.database.inline_sqlite`) inside a transaction the session has begun, with no ORM object waiting
to be flushed. Anywhere else (PostgreSQL, the threaded reports engine, no transaction yet) the statement
goes through `session.execute` as usual. Driver errors are raised as SQLAlchemy's (`IntegrityError`...),
and statements are counted by `count_statements` like any other.

    _BY_SKU = Prepared(select(StockRow.sku, ...).where(StockRow.sku == bindparam("sku")))
    row = await _BY_SKU.first(session, {"sku": "tea"})
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from sqlalchemy import CursorResult, event, exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from storage.database.inline_sqlite import InlineSqliteConnection

__all__ = ["Prepared", "counted", "counter_of"]

_DRIVER: Final = "shopbot_inline_driver"  # session.info: (inline connection, statement counter)
_COUNTERS: WeakKeyDictionary[Engine, Callable[[], object]] = WeakKeyDictionary()
Processor = Callable[[Any], Any] | None
Inline = tuple[InlineSqliteConnection, Callable[[], object] | None]  # the connection, its statement counter


def counted(engine: Engine, count: Callable[[], object] | None) -> None:
    """Have prepared statements sent on `engine`'s connections call `count()` (None: stop)."""
    if count is None:
        _COUNTERS.pop(engine, None)
    else:
        _COUNTERS[engine] = count


def counter_of(engine: Engine) -> Callable[[], object] | None:
    return _COUNTERS.get(engine)


class _Compiled:
    __slots__ = ("sql", "params", "row", "results")  # compiled once per statement

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.post_compile_params or any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("a statement completed at execution (an IN list) cannot be prepared once")
        self.sql: str = compiled.string
        # per position: the caller's parameter name and its type's bind processor, or (no name) a literal
        # of the statement itself (`state == 'pending'`, an OFFSET), processed once here
        params: list[tuple[str | None, Any, Processor]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                params.append((name, None, process))
            else:
                value = bind.effective_value
                params.append((None, value if process is None else process(value), None))
        self.params: tuple[tuple[str | None, Any, Processor], ...] = tuple(params)
        columns = list(getattr(statement, "exported_columns", ()))
        self.results: tuple[Processor, ...] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        keys = [str(column.key) for column in columns]
        self.row: Any = namedtuple("Row", keys, rename=True) if columns else tuple

    def parameters(self, values: Mapping[str, Any]) -> list[Any]:
        return [
            literal if name is None else values[name] if process is None else process(values[name])
            for name, literal, process in self.params
        ]

    def shape(self, raw: Sequence[Any]) -> Any:
        return self.row._make(
            value if process is None else process(value)
            for value, process in zip(raw, self.results, strict=True)
        )


class Prepared:
    """One fixed statement with bound parameters (`bindparam("name")`), run with a dict of their values."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: _Compiled | None = None  # for the inline SQLite dialect (the only one run directly)

    async def rows(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        inline = await _inline(session)
        if inline is None:
            return list((await session.execute(self.statement, values)).all())
        compiled = self._compile(session)
        cursor = await self._run(inline, compiled, values)
        raws = cursor.fetchall()
        cursor.close()
        return [compiled.shape(raw) for raw in raws]

    async def first(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        inline = await _inline(session)
        if inline is None:
            return (await session.execute(self.statement, values)).first()
        compiled = self._compile(session)
        cursor = await self._run(inline, compiled, values)
        raw = cursor.fetchone()
        cursor.close()
        return None if raw is None else compiled.shape(raw)

    async def scalar(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        row = await self.first(session, values)
        return None if row is None else row[0]

    async def run(self, session: AsyncSession, values: Mapping[str, Any]) -> int:
        """Execute an INSERT, UPDATE or DELETE; how many rows it touched."""
        inline = await _inline(session)
        if inline is None:
            result = await session.execute(self.statement, values)
            count: int = result.rowcount if isinstance(result, CursorResult) else -1
            return count
        cursor = await self._run(inline, self._compile(session), values)
        count = cursor.rowcount
        cursor.close()
        return count

    def _compile(self, session: AsyncSession) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _Compiled(self.statement, session.sync_session.get_bind().dialect)
        return compiled

    async def _run(self, inline: Inline, compiled: _Compiled, values: Mapping[str, Any]) -> sqlite3.Cursor:
        connection, count = inline
        parameters = compiled.parameters(values)
        if count is not None:
            count()
        try:
            return await connection.run(compiled.sql, parameters)
        except sqlite3.Error as error:
            raise exc.DBAPIError.instance(
                compiled.sql, None, error, sqlite3.Error, hide_parameters=True, ismulti=False
            ) from error


async def _inline(session: AsyncSession) -> Inline | None:
    """The inline connection of the session's transaction (begun now if it was not yet, as `execute` would
    begin it); None when the transaction is on any other kind of connection. Sessions never autoflush
    (`session_factory`), so ORM objects waiting to be flushed wait here as they would in `execute`."""
    info = session.sync_session.info
    driver: Inline | None = info.get(_DRIVER)
    if driver is None and _DRIVER not in info:
        await session.connection()
        driver = info.get(_DRIVER)
    return driver


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    driver = connection.connection.driver_connection
    inline = isinstance(driver, InlineSqliteConnection)
    session.info[_DRIVER] = (driver, _COUNTERS.get(connection.engine)) if inline else None


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_DRIVER, None)
