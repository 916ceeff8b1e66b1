"""Statements every update runs, compiled once and sent straight to the driver connection of the session's
transaction.

`session.execute(statement)` costs about 0.15 ms of CPU for a statement SQLite runs in a few microseconds:
the ORM's compile state, the execution context, the result object and its row processors are set up on
every call. The dozen statements of a customer's turn (their row, the cart, a product card, the inbox
and outbox rows) are fixed, so each is compiled once per dialect into its SQL text, the order of its
parameters and SQLAlchemy's own bind and result processors for their types, and run on the driver
connection of the session's open transaction. Rows come back as named tuples (`row.sku`, `row[0]`).

Where it is the same as `session.execute`, inside a transaction the session has begun with no ORM object
waiting to be flushed: on an inline SQLite connection (`storage.database.inline_sqlite`) the statement
runs right there; on PostgreSQL the transaction's first write goes to SQLAlchemy's DBAPI connection
(asyncpg's, adapted), which begins the transaction, and the others to asyncpg itself, errors translated
as that adaptation translates them (`_Asyncpg`; SQLAlchemy is pinned below 2.1 for the adaptation's
`_handle_exception` it calls, and tests/integration/test_prepared_statements.py covers both). On the threaded
reports engine the statement goes through `session.execute` as usual. Driver errors are raised as
SQLAlchemy's (`IntegrityError`...), and statements are counted by `count_statements` like any other.

On PostgreSQL a plain read (a SELECT without a WITH query or a locking clause) that comes before the
transaction's first write is sent without BEGIN: at READ COMMITTED, PostgreSQL's level as shopbot uses it,
every statement sees what was committed when it began, inside a transaction or not, so it reads the same.
A unit of work that only reads, and ends with one write (`Prepared.last`: a turn's replies with its
update's settle), then sends neither BEGIN nor COMMIT: two round trips fewer. A turn's writes whose outcome
it does not wait for (its dialog, its cart, a funnel step: `Rider`) wait for that last statement and go in
it, so a checkout step that writes its dialog and replies is one round trip after its reads, where it was
four. A turn that begins a transaction does the same: placing an order sends the stock's and the order's
writes, which answer something, on their own, and its reservations, lines, timeline, cart, customer and
form with its replies (8 statements where it sent 14, and the stock rows locked for 3 round trips, not 10).

    _BY_SKU = Prepared(select(StockRow.sku, ...).where(StockRow.sku == bindparam("sku")))
    row = await _BY_SKU.first(session, {"sku": "tea"})
"""

from __future__ import annotations

import re
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, CursorResult, Select, TableClause, event, exc, true
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.util import find_tables
from sqlalchemy.util import await_only, greenlet_spawn

from storage.database.inline_sqlite import InlineSqliteConnection

__all__ = ["Prepared", "Rider", "counted", "counter_of", "let_ride", "take_riders"]

_DRIVER: Final = "shopbot_direct"  # session.info: how the transaction runs prepared statements directly
_RIDING: Final = "shopbot_riding"  # session.info: the transaction's last statement takes its riders
_COUNTERS: WeakKeyDictionary[Engine, Callable[[], object]] = WeakKeyDictionary()
Processor = Callable[[Any], Any] | None
_LOCKING = re.compile(r"\bFOR (UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)\b")


def counted(engine: Engine, count: Callable[[], object] | None) -> None:
    """Have prepared statements sent on `engine`'s connections call `count()` (None: stop)."""
    if count is None:
        _COUNTERS.pop(engine, None)
    else:
        _COUNTERS[engine] = count


def counter_of(engine: Engine) -> Callable[[], object] | None:
    return _COUNTERS.get(engine)


def linked(tables: Iterable[TableClause]) -> frozenset[str]:
    """The tables `tables` refer to by a foreign key: a write of one, or to one, may depend on the order of
    the two."""
    return frozenset(key.column.table.name for table in tables for key in getattr(table, "foreign_keys", ()))


class _Compiled:
    __slots__ = ("sql", "params", "row", "results", "reads", "tables", "links")  # compiled once per statement

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, tables: Sequence[TableClause] = ()
    ) -> None:
        """`tables`: those a textual statement touches (SQLAlchemy cannot find them in its text)."""
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.post_compile_params or any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("a statement completed at execution (an IN list) cannot be prepared once")
        if compiled.insert_prefetch or compiled.update_prefetch:  # filled in by the execution context
            raise ValueError("a statement relying on a column's Python-side default cannot be prepared")
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
        # a plain read: no WITH query (which may write on PostgreSQL), no row locks
        self.reads = isinstance(statement, Select) and not self.sql.lstrip().upper().startswith("WITH")
        self.reads = self.reads and _LOCKING.search(self.sql) is None
        found = [
            table
            for table in find_tables(statement, check_columns=True, include_joins=True, include_selects=True)
            if isinstance(table, TableClause)
        ]
        found += tables
        self.tables: frozenset[str] = frozenset(table.name for table in found)
        self.links = linked(found)

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

    def __init__(self, statement: Any, *, tables: Sequence[TableClause] = ()) -> None:
        """`tables`: those a textual statement (`text()`) touches, which SQLAlchemy cannot see in it; a
        statement whose tables are unknown lets no rider pass (`Rider`)."""
        self.statement = statement
        self.tables = tuple(tables)
        self._compiled: dict[str, _Compiled] = {}  # by dialect

    async def rows(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        direct = await _direct(session)
        if direct is None:
            return list((await session.execute(self.statement, values)).all())
        compiled = self._compile(session)
        raws, _ = await direct.run(compiled, compiled.parameters(values), _ALL)
        return [compiled.shape(raw) for raw in raws]

    async def first(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        direct = await _direct(session)
        if direct is None:
            return (await session.execute(self.statement, values)).first()
        compiled = self._compile(session)
        raws, _ = await direct.run(compiled, compiled.parameters(values), _ONE)
        return compiled.shape(raws[0]) if raws else None

    async def scalar(self, session: AsyncSession, values: Mapping[str, Any]) -> Any:
        row = await self.first(session, values)
        return None if row is None else row[0]

    async def alone(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        """Run the statement as the whole of a transaction of its own, committed when this returns; its
        rows (an INSERT, UPDATE or DELETE without RETURNING has none). `session`: no transaction begun.

        On PostgreSQL it is sent without BEGIN and COMMIT, which one statement does not need (it is
        atomic, and sees what was committed before it began): one round trip instead of three, and
        SQLAlchemy's transaction bookkeeping with it. On SQLite it runs in a transaction as usual, under
        the process's write lock."""
        direct = await _direct(session)  # SQLite: BEGIN IMMEDIATE; asyncpg: nothing sent yet
        if direct is None:
            result = cast(CursorResult[Any], await session.execute(self.statement, values))
            rows = list(result.all()) if result.returns_rows else []
        else:
            compiled = self._compile(session)
            want = _ALL if compiled.results else _NONE
            raws, _ = await direct.run(compiled, compiled.parameters(values), want, alone=True)
            rows = [compiled.shape(raw) for raw in raws]
        await session.commit()  # asyncpg: no transaction was begun, nothing is sent
        return rows

    async def last(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        """Run the last statement of the session's transaction; its rows. The caller commits next, with no
        statement in between (on PostgreSQL one raises `RuntimeError`).

        On PostgreSQL, when nothing before it has begun the transaction (only plain reads came before),
        it is sent alone, committed as it returns, and the commit sends nothing: the whole unit of work
        goes without BEGIN and COMMIT. Otherwise it runs in the transaction, as `rows` does."""
        direct = await _direct(session)
        if direct is None:
            result = cast(CursorResult[Any], await session.execute(self.statement, values))
            return list(result.all()) if result.returns_rows else []
        compiled = self._compile(session)
        want = _ALL if compiled.results else _NONE
        raws, _ = await direct.run(compiled, compiled.parameters(values), want, last=True)
        return [compiled.shape(raw) for raw in raws]

    async def run(self, session: AsyncSession, values: Mapping[str, Any]) -> int:
        """Execute an INSERT, UPDATE or DELETE; how many rows it touched."""
        direct = await _direct(session)
        if direct is None:
            result = await session.execute(self.statement, values)
            count: int = result.rowcount if isinstance(result, CursorResult) else -1
            return count
        compiled = self._compile(session)
        _, count = await direct.run(compiled, compiled.parameters(values), _NONE)
        return count

    def _compile(self, session: AsyncSession) -> _Compiled:
        return self.compiled_for(session.sync_session.get_bind().dialect)

    def compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect, self.tables)
        return compiled


class Rider:
    """A write whose outcome the turn does not wait for (its dialog, its cart, a funnel step, an order's
    lines), which a PostgreSQL turn leaves to its last statement, to go along with it.

    `build(gate, prefix)` gives the write as a statement that writes only when `gate` holds (an INSERT ...
    SELECT ... WHERE gate, an UPDATE or DELETE ... WHERE ... AND gate), its parameters named `prefix` + name.
    The turn's last statement (`storage.messaging`) takes its riders (`take_riders`) as WITH queries gated on
    its update's settle: a turn that only read sends one statement instead of BEGIN, the writes, the last
    statement and COMMIT; one that began a transaction (placing an order) sends its riders with its last
    statement instead of one round trip each. A turn whose update another settled meanwhile keeps none of
    them. Until then a rider is held by the transaction. Sent first, in order, as statements of their own
    (`build(true(), "")`), by: a read of its table, a write of its table or of one linked to it by a foreign
    key, a statement whose tables are unknown, `session.execute`, an ORM flush, the commit."""

    def __init__(
        self,
        table: TableClause,
        build: Callable[[ColumnElement[bool], str], Any],
        *,
        names: Iterable[str],
        replaces: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None,
    ) -> None:
        """`names`: the parameters of `build` (without their prefix), the values every write gives.
        `replaces(earlier, later)`: the later write of this kind leaves the row as the two in turn would
        (an upsert of the same row, all of its columns): it then takes the earlier one's place."""
        self.table = table.name
        self.links = linked([table])
        self.build = build
        self.names = frozenset(names)
        self.replaces = replaces
        self._alone: Prepared | None = None

    @property
    def alone(self) -> Prepared:
        """The write as a statement of its own."""
        if self._alone is None:
            self._alone = Prepared(self.build(true(), ""))
        return self._alone

    async def ride(self, session: AsyncSession, values: Mapping[str, Any]) -> bool:
        """Leave the write with `values` to the transaction's last statement, when it takes riders (a turn
        on PostgreSQL, `let_ride`); False: the caller writes now."""
        if values.keys() != self.names:  # a value the statement would leave out, or one it lacks
            raise ValueError(f"{self.table}: {sorted(values)} given, {sorted(self.names)} written")
        if not session.sync_session.info.get(_RIDING):
            return False
        direct = await _direct(session)
        if not isinstance(direct, _Asyncpg) or direct.ended:
            return False
        riders = direct.riders
        for n, (rider, earlier) in enumerate(riders):
            if rider.table != self.table:
                continue
            if rider is self and self.replaces is not None and self.replaces(earlier, values):
                riders[n] = (self, dict(values))
                return True
            await direct.send_riders()  # two writes of one table: in order, each on its own
            return False
        riders.append((self, dict(values)))
        return True


def let_ride(session: AsyncSession) -> None:
    """The session's transaction ends with a statement that takes its riders (`Rider.ride`)."""
    session.sync_session.info[_RIDING] = True


def take_riders(session: AsyncSession) -> list[tuple[Rider, dict[str, Any]]]:
    """The writes left to the transaction's last statement, now the caller's to send with it."""
    session.sync_session.info.pop(_RIDING, None)
    direct = session.sync_session.info.get(_DRIVER)
    if not isinstance(direct, _Asyncpg):
        return []
    riders, direct.riders = direct.riders, []
    return riders


_ALL, _ONE, _NONE = 0, 1, 2  # which rows a statement's caller wants


class _Inline:
    """The session's transaction is on an inline SQLite connection: the statement is run right here."""

    __slots__ = ("connection", "count")

    def __init__(self, connection: InlineSqliteConnection, count: Callable[[], object] | None) -> None:
        self.connection = connection
        self.count = count

    async def run(
        self,
        compiled: _Compiled,
        parameters: list[Any],
        want: int,
        *,
        alone: bool = False,
        last: bool = False,
    ) -> tuple[list[Any], int]:
        """`alone` and `last` change nothing here: a statement runs in the transaction begun for it."""
        if self.count is not None:
            self.count()
        try:
            cursor = await self.connection.run(compiled.sql, parameters)
        except sqlite3.Error as error:
            raise exc.DBAPIError.instance(
                compiled.sql, None, error, sqlite3.Error, hide_parameters=True, ismulti=False
            ) from error
        raws = cursor.fetchall() if want == _ALL else [] if want == _NONE else _listed(cursor.fetchone())
        count = cursor.rowcount
        cursor.close()
        return raws, count


class _Asyncpg:
    """The session's transaction is on asyncpg, through SQLAlchemy's adaptation of it. The transaction's first
    write goes through that adaptation's DBAPI cursor, which begins the transaction; plain reads before it,
    statements alone and a last statement with nothing begun go to asyncpg without BEGIN; once the
    transaction is open, statements go to asyncpg itself (its own cache of prepared statements, the
    connection's type codecs), past SQLAlchemy's execution and the adaptation's cursor, which cost more than
    the round trip. asyncpg's errors are translated as the adaptation translates them, then raised as
    SQLAlchemy's."""

    __slots__ = ("connection", "dbapi", "driver", "count", "ended", "riders")

    def __init__(self, connection: Connection, count: Callable[[], object] | None) -> None:
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None  # a connection that began a transaction holds its DBAPI connection
        self.connection = connection
        self.dbapi = dbapi
        self.driver: Any = connection.connection.driver_connection  # asyncpg's Connection
        self.count = count
        self.ended = False  # a last statement went alone: the unit of work is committed
        self.riders: list[tuple[Rider, dict[str, Any]]] = []  # writes left to the last statement

    async def run(
        self,
        compiled: _Compiled,
        parameters: list[Any],
        want: int,
        *,
        alone: bool = False,
        last: bool = False,
    ) -> tuple[list[Any], int]:
        """`alone`: the statement is the whole transaction, sent without BEGIN (`Prepared.alone`). `last`:
        the transaction's last statement (`Prepared.last`), alone when nothing has begun the transaction."""
        self.check_open()
        if self.riders and (alone or last or not self.passes(compiled)):
            await self.send_riders()  # before what could see or follow them
        if self.count is not None:
            self.count()
        driver = self.driver
        if not driver.is_in_transaction():
            if last:
                alone = self.ended = True
            elif not (alone or compiled.reads):  # the adaptation begins the transaction with this write
                return await greenlet_spawn(self._execute, compiled.sql, parameters, want)
        try:
            if want == _NONE:
                status: str = await driver.execute(compiled.sql, *parameters)
                return [], _status_count(status)
            if want == _ONE:
                return _listed(await driver.fetchrow(compiled.sql, *parameters)), -1
            rows = await driver.fetch(compiled.sql, *parameters)
            return rows, len(rows)
        except Exception as error:
            raise await greenlet_spawn(self._translated, compiled.sql, error) from error

    def passes(self, compiled: _Compiled) -> bool:
        """`compiled` may run before the riders: it reads none of their tables, and a write touches none
        of them nor a table a foreign key links to one of them (either way). Writes of distinct, unlinked
        tables in one transaction leave the same rows in whichever order they run."""
        tables = compiled.tables
        if not tables:  # unknown
            return False
        for rider, _ in self.riders:
            if rider.table in tables:
                return False
            if not compiled.reads and (rider.table in compiled.links or not rider.links.isdisjoint(tables)):
                return False
        return True

    async def send_riders(self) -> None:
        """The riders as statements of their own, in order (the first begins the transaction)."""
        riders, self.riders = self.riders, []
        for rider, values in riders:
            compiled = rider.alone.compiled_for(self.connection.dialect)
            await self.run(compiled, compiled.parameters(values), _NONE)

    def check_open(self) -> None:
        if self.ended:
            raise RuntimeError(
                "the unit of work's last statement was sent alone: commit it, run nothing more"
            )

    def _execute(self, sql: str, parameters: list[Any], want: int) -> tuple[list[Any], int]:
        cursor = self.dbapi.cursor()
        try:
            cursor.execute(sql, parameters)
            raws = cursor.fetchall() if want == _ALL else [] if want == _NONE else _listed(cursor.fetchone())
            return list(raws), cursor.rowcount
        except self.connection.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(sql, error, cursor) from error
        finally:
            cursor.close()

    def _translated(self, sql: str, error: Exception) -> Exception:
        """asyncpg's `error` as SQLAlchemy's (IntegrityError...), as the adaptation's cursor raises it."""
        try:
            self.dbapi._handle_exception(error)  # raises the adaptation's DBAPI error for it
        except self.connection.dialect.loaded_dbapi.Error as translated:
            return self._wrapped(sql, translated, None)
        except Exception as other:  # not the driver's (a bug of ours): as it is
            return other
        return error

    def _wrapped(self, sql: str, error: Any, cursor: Any) -> Exception:
        dialect = self.connection.dialect
        invalidated = dialect.is_disconnect(error, self.dbapi, cursor)
        if invalidated:
            self.connection.invalidate(error)
        return exc.DBAPIError.instance(
            sql,
            None,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=invalidated,
            dialect=dialect,
            ismulti=False,
        )


def _status_count(status: str) -> int:
    """Rows an INSERT, UPDATE or DELETE touched, from its command tag ("UPDATE 3", "INSERT 0 1")."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else -1


def _listed(raw: Any) -> list[Any]:
    return [] if raw is None else [raw]


async def _direct(session: AsyncSession) -> _Inline | _Asyncpg | None:
    """How the session's transaction runs a prepared statement directly (begun now if it was not yet, as
    `execute` would begin it); None where it cannot (the threaded reports engine). Sessions never
    autoflush (`session_factory`), so ORM objects waiting to be flushed wait here as they would in
    `execute`."""
    info = session.sync_session.info
    direct: _Inline | _Asyncpg | None = info.get(_DRIVER)
    if direct is None and _DRIVER not in info:
        await session.connection()
        direct = info.get(_DRIVER)
    return direct


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    driver = connection.connection.driver_connection
    count = _COUNTERS.get(connection.engine)
    if isinstance(driver, InlineSqliteConnection):
        session.info[_DRIVER] = _Inline(driver, count)
    elif connection.dialect.driver == "asyncpg":
        session.info[_DRIVER] = _Asyncpg(connection, count)
    else:
        session.info[_DRIVER] = None


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    """`session.execute` after a last statement sent alone would begin a transaction of its own; riders
    go before it (it may read what they write)."""
    direct = state.session.info.get(_DRIVER)
    if isinstance(direct, _Asyncpg):
        direct.check_open()
        _send_riders(direct)


@event.listens_for(Session, "before_flush")
@event.listens_for(Session, "before_commit")
def _before_flush_or_commit(session: Session, *_: Any) -> None:
    """An ORM flush, or a commit with riders no last statement took: the riders go first."""
    direct = session.info.get(_DRIVER)
    if isinstance(direct, _Asyncpg):
        _send_riders(direct)


def _send_riders(direct: _Asyncpg) -> None:
    """From SQLAlchemy's synchronous side (its events), which runs in the greenlet of an awaited call."""
    if direct.riders:
        await_only(direct.send_riders())


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_DRIVER, None)
        session.info.pop(_RIDING, None)
