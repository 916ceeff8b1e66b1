"""SQLite statements run on the event loop's thread, yet a lock held by another process never freezes it.

Another process is played by a plain `sqlite3` connection on a thread of its own (SQLite's locks belong
to connections, so the engine cannot tell the difference): it holds the write lock while the engine's
writer waits, and a ticker coroutine shows whether the event loop went on serving others meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database.engine import WRITE_OPTION, create_engine, dispose, reports_engine
from storage.database.inline_sqlite import InlineSqliteConnection


@contextmanager
def write_lock_held_elsewhere(path: Path, seconds: float) -> Iterator[threading.Event]:
    """Hold the write lock for `seconds`, or until the event it yields is set, whichever comes first."""
    taken = threading.Event()
    release = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        release.wait(seconds)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        yield release
    finally:
        release.set()
        holder.join()


async def _ticks_while(work) -> tuple[int, object]:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        done.set()
        await ticking
    return ticks, result


@pytest.fixture
async def database(tmp_path: Path):
    path = tmp_path / "shop.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_timeout_ms=2000)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield path, engine
    await dispose(engine)


async def test_statements_run_on_the_event_loop_thread(database):
    _, engine = database
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineSqliteConnection)


async def test_a_write_waits_for_another_process_lock_without_stopping_the_event_loop(database):
    path, engine = database

    async def write() -> int:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('after the other one')"))
            return int((await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one())

    started = time.monotonic()
    with write_lock_held_elsewhere(path, seconds=0.4):
        ticks, count = await _ticks_while(write())
    assert count == 1
    assert time.monotonic() - started >= 0.35  # it did wait for the lock
    assert ticks >= 15  # ~40 ticks of 10 ms fit in the wait: the loop was not held


async def test_a_lock_held_past_the_busy_timeout_fails_the_write_plainly(tmp_path: Path):
    path = tmp_path / "shop.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}", busy_timeout_ms=200)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        # held until the write has given up, however late a busy machine lets it try again
        with write_lock_held_elsewhere(path, seconds=60):

            async def write() -> None:
                async with engine.begin() as connection:
                    await connection.execute(text("INSERT INTO notes (body) VALUES ('x')"))

            started = time.monotonic()
            with pytest.raises(Exception, match="database is locked"):
                await _ticks_while(write())
            assert time.monotonic() - started >= 0.2  # it waited out the busy timeout first
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
    finally:
        await dispose(engine)


async def test_long_reports_get_an_engine_on_a_thread_of_its_own(database):
    _, engine = database
    reports = reports_engine(engine)
    try:
        assert reports is not engine
        async with reports.connect() as connection:
            raw = await connection.get_raw_connection()
            assert not isinstance(raw.driver_connection, InlineSqliteConnection)
            assert (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
    finally:
        await dispose(reports)


def _files_open_on(path: Path) -> int:
    """SQLite connections this process has open on the database file (each holds the file open)."""
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if os.path.realpath(fd) == str(path.resolve()))


async def _read_count(connection) -> int:
    return int((await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one())


async def test_pooled_connections_that_read_in_turn_share_one_sqlite_connection(database):
    path, engine = database
    before = _files_open_on(path)
    held = [await engine.connect() for _ in range(12)]  # as the inbox's turns hold theirs, at once
    try:
        for connection in held:  # reads one after another: one reader serves them all
            reading = await connection.execution_options(**{WRITE_OPTION: False})
            assert await _read_count(reading) == 0
            await reading.commit()
        assert _files_open_on(path) <= before + 1
    finally:
        for connection in held:
            await connection.close()


async def test_reads_open_at_once_each_keep_their_own_snapshot(database):
    path, engine = database
    first = await (await engine.connect()).execution_options(**{WRITE_OPTION: False})
    second = await (await engine.connect()).execution_options(**{WRITE_OPTION: False})
    try:
        assert await _read_count(first) == 0  # a read transaction opened: the snapshot is taken
        async with engine.begin() as writer:
            await writer.execute(text("INSERT INTO notes (body) VALUES ('written meanwhile')"))
        assert await _read_count(second) == 1  # a read begun after the commit sees it
        assert await _read_count(first) == 0  # the earlier read still reads its own snapshot
        await first.commit()
        assert await _read_count(first) == 1  # its next read is a new transaction
    finally:
        await first.close()
        await second.close()
    opened = _files_open_on(path)
    for _ in range(3):  # later reads take the readers given back: none is opened
        async with engine.connect() as connection:
            reading = await connection.execution_options(**{WRITE_OPTION: False})
            assert await _read_count(reading) == 1
    assert _files_open_on(path) == opened
