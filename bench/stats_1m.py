"""Benchmark: the merchant's /stats figures over 10^6 orders, on SQLite and on PostgreSQL.

    python bench/stats_1m.py --sqlite /tmp/bench.db --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test

Generates a year of orders (evenly over 365 days up to a fixed NOW, inserted oldest first) with their
lines, status timelines, payment attempts and funnel events, bulk-loads them (sqlite3 `executemany` in
one transaction; asyncpg `COPY` on PostgreSQL, into a database of its own), runs ANALYZE, then times
`SqlAlchemyShopFigures.figures()` for today, 7 and 30 days (and the whole year, as a stress case).
`--reuse` skips generation when the data is already there. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import make_url

import storage.payments  # noqa: F401  (payment_attempts on Base.metadata)
import storage.tables  # noqa: F401
from domain.analytics import ReportWindow
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.database.base import Base
from storage.database.engine import create_engine, dispose

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SKUS = [f"SKU-{i:03d}" for i in range(200)]
PRICES = {sku: 500 + (i * 137) % 9500 for i, sku in enumerate(SKUS)}
CHUNK = 50_000
TABLES = {
    "orders": (
        "number", "version", "customer_id", "status", "payment_method", "currency", "subtotal_minor",
        "shipping_minor", "total_minor", "delivery_code", "delivery_label", "placed_at", "reserved_until",
        "paid_at", "carrier", "tracking_number", "customer_name", "customer_phone",
    ),
    "order_lines": ("order_number", "position", "sku", "name", "unit_price_minor", "quantity"),
    "order_timeline": ("order_number", "seq", "at", "old", "new", "actor", "note"),
    "payment_attempts": (
        "order_number", "method", "amount_minor", "currency", "created_at", "outcome", "provider_ref",
        "charge_ref", "refund_ref", "note",
    ),
    "funnel_events": ("step", "customer_id", "at"),
}  # fmt: skip
_CHAIN = ("paid", "accepted", "packed", "shipped", "delivered", "completed")
_GAPS = {  # (min, max) seconds after the previous step
    "paid": (60, 1800), "accepted": (600, 6 * 3600), "packed": (1800, 12 * 3600),
    "shipped": (3600, 48 * 3600), "delivered": (86400, 5 * 86400), "completed": (7 * 86400, 8 * 86400),
}  # fmt: skip


def _timeline(rng: random.Random, placed: datetime, cash: bool) -> list[tuple[datetime, str]]:
    steps = [(placed, "placed")]
    fate = rng.random()
    if fate < 0.05 and not cash:
        return [*steps, (placed + timedelta(minutes=30), "payment_expired")]
    if fate < 0.09:
        return [*steps, (placed + timedelta(seconds=rng.randint(60, 3600)), "cancelled")]
    at = placed
    for step in _CHAIN:
        if cash and step == "paid":
            continue
        at += timedelta(seconds=rng.randint(*_GAPS[step]))
        steps.append((at, step))
        if step == "paid" and fate < 0.11:
            return [*steps, (at + timedelta(hours=2), "refunded")]
        if step == "delivered" and fate < 0.6:
            break
    return steps


def generate(count: int, seed: int = 7) -> Iterator[dict[str, list[tuple]]]:
    """Rows per table, CHUNK orders at a time, oldest first (as a shop inserts them); order numbers are
    random, as the shop's are, so rows of one period are neighbours in the table but not in its key."""
    rng = random.Random(seed)
    numbers = list(range(count))
    rng.shuffle(numbers)
    slot = 365 * 86400 / count
    for first in range(0, count, CHUNK):
        rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        for i in range(first, min(first + CHUNK, count)):
            number, customer = f"B{numbers[i]:08d}", rng.randint(1, 200_000)
            placed = NOW - timedelta(days=365) + timedelta(seconds=(i + rng.random()) * slot)
            cash = rng.random() < 0.2
            lines = [(sku, rng.randint(1, 3)) for sku in rng.sample(SKUS, rng.choice((1, 1, 2, 3)))]
            subtotal = sum(PRICES[sku] * qty for sku, qty in lines)
            steps = [(at, new) for at, new in _timeline(rng, placed, cash) if at <= NOW]
            status = steps[-1][1]
            paid_at = next((at for at, new in steps if new in ("paid", "delivered")), None)
            shipped = any(new == "shipped" for _, new in steps)
            rows["orders"].append((
                number, 1, customer, status, "cash" if cash else "stripe", "USD",
                subtotal, 500, subtotal + 500, "standard", "Standard",
                placed, placed + timedelta(minutes=30), paid_at,
                "DHL" if shipped else None, f"JD{i:012d}" if shipped else None, "", "",
            ))  # fmt: skip
            for position, (sku, qty) in enumerate(lines):
                rows["order_lines"].append((number, position, sku, f"Product {sku}", PRICES[sku], qty))
            for seq, (at, new) in enumerate(steps):
                old = steps[seq - 1][1] if seq else None
                rows["order_timeline"].append((number, seq, at, old, new, "system", ""))
            if not cash:
                outcome = {"placed": "pending", "payment_expired": "expired", "cancelled": "failed"}
                result = "refunded" if status == "refunded" else outcome.get(status, "succeeded")
                for _ in range(rng.random() < 0.1):
                    rows["payment_attempts"].append(
                        (number, "stripe", subtotal + 500, "USD", placed, "failed", "", "", "", "")
                    )
                rows["payment_attempts"].append(
                    (number, "stripe", subtotal + 500, "USD", placed, result, f"cs_{i}", "", "", "")
                )
            rows["funnel_events"].append(
                ("cart_created", customer, placed - timedelta(hours=rng.randint(1, 48)))
            )
            rows["funnel_events"].append(("checkout_started", customer, placed - timedelta(minutes=5)))
            if rng.random() < 0.8:
                rows["funnel_events"].append(("cart_created", customer, placed - timedelta(days=3)))
            if rng.random() < 0.3:
                rows["funnel_events"].append(("checkout_started", customer, placed - timedelta(days=3)))
        yield rows


async def create_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    await dispose(engine)


def _sqlite_value(value: object) -> object:
    # The format SQLAlchemy's SQLite DATETIME stores (naive UTC, see storage.database.base.UtcDateTime).
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def load_sqlite(path: str, count: int) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("BEGIN")
    for sku in SKUS:
        db.execute("INSERT INTO categories VALUES ('all', 'All', 0) ON CONFLICT DO NOTHING")
        db.execute(
            "INSERT INTO products VALUES (?, ?, 'all', ?, 'USD', '', NULL, 1)",
            (sku, f"Product {sku}", PRICES[sku]),
        )
        on_hand = random.Random(sku).randint(0, 50)
        db.execute("INSERT INTO stock VALUES (?, ?, 0, 10, 1)", (sku, on_hand))
    for chunk in generate(count):
        for table, columns in TABLES.items():
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            db.executemany(sql, ([_sqlite_value(v) for v in row] for row in chunk[table]))
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()


async def load_postgres(url: str, count: int) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("INSERT INTO categories VALUES ('all', 'All', 0)")
        await conn.copy_records_to_table(
            "products",
            records=[(sku, f"Product {sku}", "all", PRICES[sku], "USD", "", None, True) for sku in SKUS],
        )
        stock = [(sku, random.Random(sku).randint(0, 50), 0, 10, True) for sku in SKUS]
        await conn.copy_records_to_table("stock", records=stock)
        for chunk in generate(count):
            for table, columns in TABLES.items():
                await conn.copy_records_to_table(table, records=chunk[table], columns=list(columns))
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def time_figures(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
    engine = create_engine(url)
    shop = SqlAlchemyShopFigures(engine, "USD")
    results = []
    try:
        for label, days in (("today", 1), ("7 days", 7), ("30 days", 30), ("365 days (stress)", 365)):
            window = ReportWindow.last_days(days, NOW)
            figures = await shop.figures(window)  # warm-up (connection, caches)
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                await shop.figures(window)
                timings.append(time.perf_counter() - started)
            results.append((label, statistics.median(timings), min(timings), figures.placed))
    finally:
        await dispose(engine)
    return results


async def _postgres_database(server: str, name: str) -> str:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        exists = await conn.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if exists.first() is None:
            await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await dispose(engine)
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def run(backend: str, url: str, load, args: argparse.Namespace) -> None:
    if not args.reuse:
        started = time.perf_counter()
        asyncio.run(create_schema(url))
        load()
        print(f"{backend}: loaded {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
    for label, median, best, placed in asyncio.run(time_figures(url, args.repeat)):
        print(f"| {backend} | {label} | {placed:,} | {median * 1000:.0f} ms | {best * 1000:.0f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sqlite", help="SQLite file to (re)create")
    parser.add_argument("--postgres", help="PostgreSQL server URL; the data goes to database shopbot_bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the data already loaded")
    args = parser.parse_args()
    print("| database | period | orders in period | median | best |\n|---|---|---|---|---|")
    if args.sqlite:
        url = f"sqlite+aiosqlite:///{args.sqlite}"
        run("SQLite", url, lambda: load_sqlite(args.sqlite, args.orders), args)
    if args.postgres:
        url = asyncio.run(_postgres_database(args.postgres, "shopbot_bench"))
        run("PostgreSQL", url, lambda: asyncio.run(load_postgres(url, args.orders)), args)


if __name__ == "__main__":
    main()
