"""Benchmark: drain N outbox messages through the relay into the fake Telegram Bot API over HTTP.

Real pieces end to end: SQLite outbox (lease/settle), flood control at the configured rate, the Bot API
notifier over httpx, and a fake Telegram on loopback answering 429 above `--limit` messages/second.

    PYTHONPATH=. python bench/outbox_drain.py --messages 5000 --limit 30
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.background.outbox_relay import OutboxRelay
from bot.clock import UtcClock
from bot.flood_control import FloodControl
from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue
from storage.queues.outbox_table import OutboxRow
from tests.fakes.flood_bot_api import TOKEN, FloodLimitedBotApi
from tests.integration.databases import engine_for, temporary_database


async def main(messages: int, limit: float, chats: int) -> None:
    telegram = FloodLimitedBotApi(per_second=limit)
    await telegram.start()
    with tempfile.TemporaryDirectory() as tmp:
        async with temporary_database("sqlite", Path(tmp)) as url:
            engine = engine_for(url)
            sessions = async_sessionmaker(engine, expire_on_commit=False)
            now = datetime.now(UTC)
            async with sessions() as session, session.begin():
                session.add_all(
                    OutboxRow(chat_id=100_000 + i % chats, payload={"text": f"m{i}"}, created_at=now)
                    for i in range(messages)
                )
            notifier = BotApiNotifier(TelegramConnection(TOKEN, telegram.url))
            flood = FloodControl(per_second=limit, private_per_second=1, group_per_minute=20)
            relay = OutboxRelay(SqlAlchemyOutboxQueue(sessions), notifier, flood, UtcClock())
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(relay.run_forever(stop, idle_seconds=0.05))
            while len(telegram.messages) < messages:  # noqa: ASYNC110 - polling another component's counter
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
            stop.set()
            await task
            async with sessions() as session:
                pending = await session.scalar(select(func.count()).where(OutboxRow.state != "sent"))
            await notifier.aclose()
            await engine.dispose()
    await telegram.stop()
    received = telegram.texts()
    print(f"hardware: {os.cpu_count()} cores, python {platform.python_version()}, {platform.machine()}")
    print(f"messages={messages} chats={chats} limit={limit}/s (fake answers 429 above it)")
    rate = messages / elapsed
    print(f"drained in {elapsed:.1f} s: {rate:.1f} msg/s ({rate / limit:.0%} of limit)")
    duplicates = len(received) - len(set(received))
    print(f"429 answers: {telegram.too_many}; duplicates: {duplicates}; unsent: {pending}")


if __name__ == "__main__":
    args = dict(a.split("=") for a in sys.argv[1:])
    asyncio.run(
        main(
            int(args.get("--messages", 5000)), float(args.get("--limit", 30)), int(args.get("--chats", 1000))
        )
    )
