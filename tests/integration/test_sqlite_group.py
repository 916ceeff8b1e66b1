"""Group commit on SQLite: the write transactions made at once share one COMMIT, and each is kept, undone
or failed exactly as if it had committed alone.

What another process sees is read with a plain `sqlite3` connection of its own; how many COMMITs were
made, from the frames they appended to the write-ahead log.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from storage.database.engine import create_engine, dispose

WRITERS = 10


@pytest.fixture
async def database(tmp_path: Path):
    path = tmp_path / "shop.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        await connection.execute(text("CREATE TABLE parents (id INTEGER PRIMARY KEY)"))
        await connection.execute(
            text(
                "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL"
                " REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    yield path, engine
    await dispose(engine)


def _outside(path: Path, sql: str) -> list[tuple]:
    """What another process reads now."""
    other = sqlite3.connect(path)
    try:
        return other.execute(sql).fetchall()
    finally:
        other.close()


def _log_frames_after(path: Path) -> int:
    """Frames appended to the write-ahead log since the last call (which empties it)."""
    other = sqlite3.connect(path)
    try:
        _busy, frames, _done = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(frames)
    finally:
        other.close()


async def _note(engine, body: str, seen: dict[str, bool], path: Path) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})
    # the commit has returned: another process must read the note now (its reply may be sent)
    seen[body] = _outside(path, f"SELECT count(*) FROM notes WHERE body = '{body}'") == [(1,)]


async def test_writes_made_at_once_share_a_commit_and_each_is_committed_when_it_returns(database):
    path, engine = database
    _log_frames_after(path)
    seen: dict[str, bool] = {}
    for n in range(WRITERS):  # one after another: a COMMIT each
        await _note(engine, f"alone {n}", seen, path)
    alone = _log_frames_after(path)

    await asyncio.gather(*(_note(engine, f"together {n}", seen, path) for n in range(WRITERS)))
    together = _log_frames_after(path)

    assert len(seen) == 2 * WRITERS and all(seen.values())
    assert _outside(path, "SELECT count(*) FROM notes") == [(2 * WRITERS,)]
    assert alone >= WRITERS
    assert together * 4 <= alone  # the same rows, a fraction of the log written


@pytest.mark.parametrize("failing", [0, 1, 2], ids=["first", "middle", "last"])
async def test_a_writer_that_fails_leaves_the_others_of_its_commit_kept(database, failing: int):
    path, engine = database

    async def fails() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('undone')"))
            raise RuntimeError("the handler failed")

    seen: dict[str, bool] = {}
    writers = [_note(engine, "one", seen, path), _note(engine, "two", seen, path)]
    writers.insert(failing, fails())  # the first begins the transaction the others join
    results = await asyncio.gather(*writers, return_exceptions=True)

    assert isinstance(results[failing], RuntimeError)
    assert seen == {"one": True, "two": True}
    assert _outside(path, "SELECT body FROM notes ORDER BY id") == [("one",), ("two",)]


async def test_a_commit_that_fails_fails_every_writer_in_it_and_keeps_none(database):
    path, engine = database

    async def orphan() -> None:  # breaks a foreign key checked only at COMMIT
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO kids (parent) VALUES (42)"))

    async def note() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('with the orphan')"))

    results = await asyncio.gather(note(), orphan(), return_exceptions=True)

    assert all(isinstance(result, exc.IntegrityError) for result in results), results
    assert _outside(path, "SELECT count(*) FROM notes") == [(0,)]
    assert _outside(path, "SELECT count(*) FROM kids") == [(0,)]
    seen: dict[str, bool] = {}
    await _note(engine, "afterwards", seen, path)  # the next writes commit as usual
    assert seen == {"afterwards": True}


async def test_a_writer_that_waits_midway_is_never_committed_half_done(database):
    path, engine = database
    midway = asyncio.Event()
    go_on = asyncio.Event()

    async def in_two_steps() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('step 1')"))
            midway.set()
            await go_on.wait()
            await connection.execute(text("INSERT INTO notes (body) VALUES ('step 2')"))

    seen: dict[str, bool] = {}
    earlier = asyncio.create_task(_note(engine, "earlier", seen, path))
    both = asyncio.create_task(in_two_steps())
    await midway.wait()
    for _ in range(20):  # the loop goes round: a COMMIT now would take step 1 without step 2
        await asyncio.sleep(0)
    assert _outside(path, "SELECT count(*) FROM notes") == [(0,)]
    assert not earlier.done()  # its COMMIT waits for the writer in the middle of its transaction

    go_on.set()
    await asyncio.gather(earlier, both)
    assert seen == {"earlier": True}
    assert _outside(path, "SELECT body FROM notes ORDER BY id") == [("earlier",), ("step 1",), ("step 2",)]
