"""The migrations (run once per session by the fixtures) build exactly the schema the models declare."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import storage.tables  # noqa: F401
from domain.clock import FixedClock
from jobs.prune import PruneReport, PruneWorkTables
from storage.database.base import Base
from storage.database.engine import create_engine, dispose, session_factory
from storage.database.migrate import upgrade_with
from storage.database.schema_status import migration_heads, schema_status
from storage.housekeeping import SqlAlchemyHousekeeping
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.integration.databases import KINDS, temporary_database


async def test_migrated_schema_matches_the_table_models(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await dispose(engine)
    assert diff == []


async def test_a_running_application_can_migrate_through_its_own_engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        await upgrade_with(engine)
        await upgrade_with(engine)  # already at head: nothing to do
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    finally:
        await dispose(engine)
    assert set(Base.metadata.tables) <= tables


async def test_shipments_keep_their_rows_when_a_number_may_serve_two_orders(tmp_path):
    """7bf86e231dc8 rebuilds `shipments` with a surrogate id: the parcels tracked before stay tracked."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    row = (
        "INSERT INTO shipments (tracking_number, order_number, carrier, last_status, registered, active, "
        "failures) VALUES ('JD014600003828', 'ORD-A', 'DHL', 'InTransit', 1, 1, 0)"
    )
    try:
        await upgrade_with(engine, "b9631af8efe8")
        async with engine.begin() as connection:
            await connection.execute(text(row))
        await upgrade_with(engine)
        async with engine.begin() as connection:
            again = row.replace("'ORD-A'", "'ORD-B'")
            await connection.execute(text(again))  # the same number on a second order
            rows = (
                await connection.execute(text("SELECT id, order_number, last_status FROM shipments"))
            ).all()
    finally:
        await dispose(engine)
    assert sorted((order, status) for _id, order, status in rows) == [
        ("ORD-A", "InTransit"),
        ("ORD-B", "InTransit"),
    ]


async def test_refunds_owed_before_keep_their_stripe_key_and_two_equal_refunds_fit_after(tmp_path):
    """c4f1a7d2e9b3 gives each refund its own idempotency key: a refund owed before the upgrade keeps the
    key it was already sent to Stripe with (order-charge-amount), so a retry stays the same refund."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    row = (
        "INSERT INTO refunds (order_number, charge_ref, amount_minor, currency, state, attempts, "
        "last_error, created_at{key}) "
        "VALUES ('ORD-A', 'pi_1', 900, 'USD', 'pending', 1, '', '2026-12-05 10:00:00'{value})"
    )
    try:
        await upgrade_with(engine, "589917780cbb")
        async with engine.begin() as connection:
            await connection.execute(text(row.format(key="", value="")))
        await upgrade_with(engine)
        async with engine.begin() as connection:
            for n in (1, 2):  # two returns of one $9.00 item
                part = row.format(key=", key", value=f", 'ORD-A-pi_1-900-return-{900 * n}'")
                await connection.execute(text(part))
            keys = (await connection.execute(text("SELECT key FROM refunds ORDER BY id"))).scalars().all()
    finally:
        await dispose(engine)
    assert keys == ["ORD-A-pi_1-900", "ORD-A-pi_1-900-return-900", "ORD-A-pi_1-900-return-1800"]


@pytest.mark.parametrize("kind", KINDS)
async def test_updates_handled_before_the_upgrade_are_remembered_a_full_retention_from_it(kind, tmp_path):
    """c96cecd9072d stamps each processed update with when it was handled; those recorded before it get
    the time of the upgrade, so none is forgotten while Telegram may still redeliver it."""
    async with temporary_database(kind, tmp_path, tables=False) as url:
        engine = create_engine(url)
        try:
            await upgrade_with(engine, "8d2f4b7c1a63")
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO processed_updates (update_id) VALUES (900)"))
            upgraded = datetime.now(UTC)
            await upgrade_with(engine)
            async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
                assert not await uow.updates.first_time(900, upgraded)  # still handled
            job = PruneWorkTables(SqlAlchemyHousekeeping(session_factory(engine)), FixedClock(upgraded))
            job.clock = FixedClock(upgraded + timedelta(days=2, hours=23))
            assert not await job.run()  # kept 3 days by default, from the upgrade
            job.clock = FixedClock(upgraded + timedelta(days=3, minutes=5))
            assert await job.run() == PruneReport(processed_updates=1)
        finally:
            await dispose(engine)


def _start_shop(url: str, cwd: Path) -> bool:
    """Assemble the shop as `shopbot run` does (migrating); True when that loaded Alembic."""
    code = (
        "import asyncio, sys\n"
        "from bot.settings import Settings\n"
        "from bot.wiring.bootstrap import assemble\n"
        "async def main():\n"
        f"    async with assemble(Settings(database_url={url!r}), migrate=True):\n"
        "        pass\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()[-1] == "True"


async def test_a_bot_migrates_a_new_database_and_starts_on_a_current_one_without_alembic(tmp_path: Path):
    """Alembic and what it imports (every dialect's DDL, Mako, Pygments) stay out of a running bot's memory
    unless its database is behind."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"

    assert await asyncio.to_thread(_start_shop, url, tmp_path)  # a new database: migrated
    engine = create_engine(url)
    try:
        status = await schema_status(engine, migration_heads())
    finally:
        await dispose(engine)
    assert status.ready

    assert not await asyncio.to_thread(_start_shop, url, tmp_path)  # at head: nothing migrated or loaded
