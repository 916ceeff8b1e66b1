"""CPU of the storage layer's own steps, in one process on one core: a prepared statement inside an open
transaction, and a unit of work (begin, one statement, commit) — the costs every turn pays.

    PYTHONPATH=. taskset -c 1 python bench/statement_cost.py [--postgres URL] [--rounds 8] [--runs 400]

Each row: the best and the median, over `--rounds`, of the mean CPU time (`time.process_time`) per step
over `--runs` steps, after a warm-up. The statement is the customer lookup a turn makes (one row by
primary key); the database is a fresh migrated one, SQLite in a temporary file or a PostgreSQL database
created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import bindparam, select

from bench.e2e_updates import _admin, _fresh_postgres
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.database.prepared import Prepared
from storage.tables import CustomerRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

_CUSTOMER = Prepared(select(CustomerRow.telegram_id).where(CustomerRow.telegram_id == bindparam("id")))


async def _cpu_per_step(step: Callable[[], Awaitable[object]], rounds: int, runs: int) -> list[float]:
    for _ in range(runs):  # warm-up: prepared statements, pool, caches
        await step()
    means = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(runs):
            await step()
        means.append((time.process_time() - started) / runs * 1e6)
    return means


async def bench(url: str, label: str, rounds: int, runs: int) -> list[str]:
    engine = create_engine(url)
    try:
        await upgrade_with(engine)
        units = SqlAlchemyUnitOfWorkFactory(engine)
        rows = []
        async with units() as uow:
            await _CUSTOMER.first(uow.session, {"id": 1})  # the transaction is open: statements only

            async def statement() -> None:
                await _CUSTOMER.first(uow.session, {"id": 1})

            rows.append(("statement in an open transaction", await _cpu_per_step(statement, rounds, runs)))

        async def unit_of_work() -> None:
            async with units() as uow:
                await _CUSTOMER.first(uow.session, {"id": 1})
                await uow.commit()

        rows.append(("unit of work with one statement", await _cpu_per_step(unit_of_work, rounds, runs)))
    finally:
        await dispose(engine)
    return [f"| {label} | {step} | {min(m):.0f} | {statistics.median(m):.0f} |" for step, m in rows]


async def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--postgres", default=os.environ.get("SHOPBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    rows = ["| database | step | best µs of CPU | median µs |", "|---|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        rows += await bench(f"sqlite+aiosqlite:///{Path(tmp) / 'cost.db'}", "sqlite", args.rounds, args.runs)
    if args.postgres:
        url, name = await _fresh_postgres(args.postgres)
        try:
            rows += await bench(url, "postgres", args.rounds, args.runs)
        finally:
            await _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
