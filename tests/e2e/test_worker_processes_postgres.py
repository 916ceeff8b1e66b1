"""`shopbot worker` as real OS processes against one PostgreSQL database and the fake Telegram.

Two workers drain one outbox without sending anything twice; a worker killed mid-drain loses nothing
(its leased rows go out from the next worker once the lease runs out).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.database.migrate import upgrade
from storage.queues.outbox_table import OutboxRow
from tests.fakes.flood_bot_api import TOKEN, FloodLimitedBotApi
from tests.integration.databases import POSTGRES_URL, engine_for, temporary_database

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")]

ROOT = Path(__file__).resolve().parents[2]
WORKER = "from bot.cli.worker import worker; worker()"


async def _spawn(url: str, telegram: str) -> asyncio.subprocess.Process:
    env = os.environ | {
        "PYTHONPATH": str(ROOT),
        "SHOPBOT_DATABASE_URL": url,
        "SHOPBOT_TELEGRAM_TOKEN": TOKEN,
        "SHOPBOT_TELEGRAM_API_URL": telegram,
        "SHOPBOT_OUTBOX_POLL_SECONDS": "0.1",
        "SHOPBOT_OUTBOX_LEASE_SECONDS": "4",
        "SHOPBOT_FLOOD_GLOBAL_PER_SECOND": "40",
        "SHOPBOT_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, "--no-jobs", cwd=ROOT, env=env, stderr=None
    )


async def _enqueue(url: str, texts: list[str]) -> None:
    engine = engine_for(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session, session.begin():
        now = datetime.now(UTC)
        session.add_all(
            OutboxRow(chat_id=10_000 + i, payload={"text": text}, created_at=now)
            for i, text in enumerate(texts)
        )
    await engine.dispose()


async def _until(condition, *, limit: float = 60.0) -> None:
    for _ in range(int(limit / 0.1)):
        if condition():
            return
        await asyncio.sleep(0.1)  # waiting on other processes: there is no clock to inject across them
    raise AssertionError("condition not reached")


async def _stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        await asyncio.wait_for(process.wait(), 30)


@asynccontextmanager
async def migrated_database(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh PostgreSQL database brought to head by `shopbot db upgrade`'s migrations: a worker
    refuses to start on a database that was never migrated."""
    async with temporary_database("postgres", tmp_path, tables=False) as url:
        await asyncio.to_thread(upgrade, url)
        yield url


@pytest.fixture
async def telegram():
    server = FloodLimitedBotApi(per_second=60)
    await server.start()
    yield server
    await server.stop()


async def test_two_worker_processes_never_send_a_message_twice(telegram, tmp_path):
    async with migrated_database(tmp_path) as url:
        texts = [f"order update {i}" for i in range(200)]
        await _enqueue(url, texts)
        workers = [await _spawn(url, telegram.url), await _spawn(url, telegram.url)]
        try:
            await _until(lambda: len(telegram.messages) >= len(texts))
            await asyncio.sleep(0.5)  # let a duplicate, if any, arrive before counting
        finally:
            await _stop(*workers)
        assert sorted(telegram.texts()) == sorted(texts)


async def test_a_worker_killed_mid_drain_loses_nothing_and_the_next_one_sends_the_rest(telegram, tmp_path):
    async with migrated_database(tmp_path) as url:
        texts = [f"receipt {i}" for i in range(120)]
        await _enqueue(url, texts)
        first = await _spawn(url, telegram.url)
        await _until(lambda: len(telegram.messages) >= 30)
        first.send_signal(signal.SIGKILL)  # no clean shutdown: leased rows stay leased
        await first.wait()
        second = await _spawn(url, telegram.url)
        try:
            await _until(lambda: set(telegram.texts()) >= set(texts))
        finally:
            await _stop(second)
        received = telegram.texts()
        assert set(received) == set(texts)
        assert len(received) - len(set(received)) <= 1  # at most the one in flight when killed
