"""Benchmark: the prune job's first runs over a year of work rows on SQLite, and what its indexes cost.

A shop migrated to the head, then filled with `--days` of traffic, all of it settled and older than every
retention: `--updates` done inbox rows a day (a Telegram update's JSON, ~0.4 KB), as many sent outbox
replies (~0.3 KB) plus one /stats chart a day (40 KB of base64), and `--updates / 100` payment events a
day. Then `jobs.prune.PruneWorkTables` (defaults: batches of 1,000, at most 100 batches per table and run)
runs on the production engine (statements on the event loop's thread) until nothing is left, while a
ticker coroutine measures how long the event loop was held at once: the longest a customer's update would
have waited for the loop. Each batch is timed.

`--index-cost N` also times N store-and-settle cycles of an inbox update and of an outbox message with the
migration's partial indexes and without them (dropped), alternately, on a fresh database.

    PYTHONPATH=. python bench/prune_backlog.py --days 365 --updates 1000 --index-cost 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from domain.clock import FixedClock
from jobs.prune import PruneWorkTables
from storage.database.engine import create_engine, dispose, session_factory
from storage.database.migrate import upgrade_with
from storage.housekeeping import SqlAlchemyHousekeeping
from storage.tables import InboxRow, OutboxRow, WebhookEventRow

NOW = datetime(2027, 1, 1, tzinfo=UTC)
CHART = "iVBORw0KGgoAAAANSUhEUgAA" * 1700  # ~40 KB of base64, a /stats chart
_CHUNK = 5000


def _update(n: int) -> dict[str, object]:
    return {
        "update_id": n,
        "callback_query": {
            "id": str(n * 7919),
            "from": {"id": 100_000 + n % 5000, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "message": {"message_id": n, "chat": {"id": 100_000 + n % 5000, "type": "private"}, "date": 0},
            "chat_instance": "-4242424242424242424",
            "data": "c:add:TEA-1:1",
        },
    }


async def _fill(engine, days: int, per_day: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    updates = messages = events = 0
    inbox, outbox, webhook = [], [], []

    async def flush(force: bool = False) -> None:
        async with engine.begin() as connection:
            for table, rows in ((InboxRow, inbox), (OutboxRow, outbox), (WebhookEventRow, webhook)):
                if rows and (force or len(rows) >= _CHUNK):
                    await connection.execute(insert(table), rows)
                    rows.clear()

    for day in range(days):
        start = NOW - timedelta(days=40 + days - day)
        for i in range(per_day):
            at = start + timedelta(seconds=i * 86400 // per_day)
            updates += 1
            row = {"update_id": updates, "chat_id": 100_000 + updates % 5000, "received_at": at}
            inbox.append({**row, "payload": _update(updates), "state": "done", "attempts": 1})
            text_reply = {"text": f"Added Tea {updates % 40} to your cart. Cart: {updates % 7 + 1} items."}
            outbox.append(_message(row["chat_id"], text_reply, at))
            if i % 100 == 0:
                webhook.append({"source": "stripe", "event_id": f"evt_{updates}", "processed_at": at})
                events += 1
        outbox.append(_message(-100500, {"photo_base64": CHART, "caption": "📊 Last 7 days"}, start))
        messages += per_day + 1
        if len(inbox) >= _CHUNK:
            await flush()
    await flush(force=True)
    return updates, messages, events


def _message(chat_id: int, payload: dict[str, object], at: datetime) -> dict[str, object]:
    return {
        "chat_id": chat_id,
        "payload": payload,
        "state": "sent",
        "attempts": 1,
        "created_at": at,
        "sent_at": at,
    }


class Timed:
    """The housekeeping port, each call timed."""

    def __init__(self, inner: SqlAlchemyHousekeeping) -> None:
        self.inner = inner
        self.batches: dict[str, list[float]] = {}

    def _timed(self, name: str, call: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[int]]:
        async def run(before: datetime, *, limit: int) -> int:
            started = time.perf_counter()
            count = await call(before, limit=limit)
            if count:
                self.batches.setdefault(name, []).append(time.perf_counter() - started)
            return count

        return run

    def __getattr__(self, name: str) -> Callable[..., Awaitable[int]]:
        return self._timed(name, getattr(self.inner, name))


async def _ticker(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def backlog(days: int, per_day: int, tmp: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'year.db'}")
    await upgrade_with(engine)
    started = time.perf_counter()
    updates, messages, events = await _fill(engine, days, per_day)
    size = (tmp / "year.db").stat().st_size
    print(
        f"filled {updates:,} inbox rows, {messages:,} outbox rows, {events:,} payment events in "
        f"{time.perf_counter() - started:.0f} s; file {size / 2**20:.0f} MiB"
    )
    timed = Timed(SqlAlchemyHousekeeping(session_factory(engine)))
    job = PruneWorkTables(timed, FixedClock(NOW))  # type: ignore[arg-type]
    stop, gaps = asyncio.Event(), []
    ticker = asyncio.create_task(_ticker(stop, gaps))
    runs: list[float] = []
    total = 0
    while True:
        started = time.perf_counter()
        report = await job.run()
        runs.append(time.perf_counter() - started)
        total += report.total
        if not report:
            break
    stop.set()
    await ticker
    print(
        f"deleted {total:,} rows in {len(runs) - 1} runs; run times {', '.join(f'{r:.1f}' for r in runs)} s"
    )
    for name, spans in timed.batches.items():
        ms = sorted(s * 1000 for s in spans)
        print(
            f"  {name}: {len(ms)} batches, median {statistics.median(ms):.1f} ms, "
            f"p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
        )
    longest = sorted(gaps)
    print(
        f"event loop held at most {longest[-1] * 1000:.1f} ms at once "
        f"(p99 of ticks {longest[int(len(longest) * 0.99)] * 1000:.1f} ms)"
    )
    await dispose(engine)


def index_cost(cycles: int, tmp: Path) -> None:
    """Per update and reply: storing them pending (no entry in a partial index), then settling them (one
    entry each), as plain sqlite3 statements on the migrated schema, each phase in one transaction (so
    neither SQLAlchemy nor a commit's fsync drowns the difference); rounds alternate with and without."""
    path = tmp / "hot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    asyncio.run(_migrate(engine))
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    results: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    first = 0
    for round_ in range(10):
        indexed = round_ % 2 == 0
        for statement in _INDEXES if indexed else _DROPS:
            db.execute(statement)
        rows = range(first, first + cycles)
        first += cycles
        at = "2027-01-01 00:00:00.000000"
        db.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        ids = []
        for n in rows:
            db.execute(
                "INSERT INTO inbox (update_id, chat_id, payload, received_at, state, attempts) "
                "VALUES (?, ?, ?, ?, 'pending', 0)",
                (n, n % 5000, json.dumps(_update(n)), at),
            )
            cursor = db.execute(
                "INSERT INTO outbox (chat_id, payload, state, attempts, last_error, created_at) "
                "VALUES (?, '{\"text\": \"ok\"}', 'pending', 0, '', ?) RETURNING id",
                (n % 5000, at),
            )
            ids.append(cursor.fetchone()[0])
        stored = (time.perf_counter() - started) / cycles * 1e6
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        for n, new_id in zip(rows, ids, strict=True):
            db.execute("UPDATE inbox SET state = 'done' WHERE update_id = ?", (n,))
            db.execute("UPDATE outbox SET state = 'sent', sent_at = ? WHERE id = ?", (at, new_id))
        settled = (time.perf_counter() - started) / cycles * 1e6
        db.execute("COMMIT")
        results["with" if indexed else "without"].append((stored, settled))
    db.close()
    for name, spans in results.items():
        stored_median = statistics.median(a for a, _ in spans)
        settled_median = statistics.median(b for _, b in spans)
        print(
            f"  {name} the partial indexes: stored {stored_median:.1f} µs, settled {settled_median:.1f} µs "
            f"per update and reply (median of {len(spans)} rounds of {cycles:,})"
        )


async def _migrate(engine) -> None:  # type: ignore[no-untyped-def]
    await upgrade_with(engine)
    await dispose(engine)


_INDEXES = [
    "CREATE INDEX IF NOT EXISTS ix_outbox_settled_created_at ON outbox (created_at) WHERE state <> 'pending'",
    "CREATE INDEX IF NOT EXISTS ix_inbox_settled_received_at ON inbox (received_at) WHERE state <> 'pending'",
]
_DROPS = ["DROP INDEX ix_outbox_settled_created_at", "DROP INDEX ix_inbox_settled_received_at"]


async def main(days: int, per_day: int, cost: int) -> None:
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        await backlog(days, per_day, Path(tmp))
        if cost:
            await asyncio.to_thread(index_cost, cost, Path(tmp))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--updates", type=int, default=1000, help="updates (and replies) a day")
    parser.add_argument("--index-cost", type=int, default=0, help="store-and-settle cycles to time (0: skip)")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.updates, args.index_cost))
