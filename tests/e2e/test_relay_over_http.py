"""The relay on a real SQLite outbox delivering through the Bot API notifier to the fake Telegram."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
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


@pytest.fixture
async def telegram():
    server = FloodLimitedBotApi(per_second=30)
    await server.start()
    yield server
    await server.stop()


async def test_queued_messages_reach_telegram_once_each_with_buttons_and_blocked_chats_fail(
    telegram, tmp_path
):
    telegram.blocked.add(666)
    async with temporary_database("sqlite", tmp_path) as url:
        engine = engine_for(url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        now = datetime.now(UTC)
        async with sessions() as session, session.begin():
            for i in range(40):
                payload = {"text": f"hello {i}", "buttons": [[{"label": "Open", "action": f"o:{i}"}]]}
                session.add(OutboxRow(chat_id=1000 + i, payload=payload, created_at=now))
            session.add(OutboxRow(chat_id=666, payload={"text": "to a blocked chat"}, created_at=now))
        notifier = BotApiNotifier(TelegramConnection(TOKEN, telegram.url))
        # A deliberately loose limit: the fake's 429s must slow the relay down without losing anything.
        flood = FloodControl(per_second=200, private_per_second=1, group_per_minute=20)
        relay = OutboxRelay(SqlAlchemyOutboxQueue(sessions), notifier, flood, UtcClock())
        for _ in range(300):
            async with sessions() as session:
                states = list((await session.execute(select(OutboxRow.state))).scalars())
            if "pending" not in states:
                break
            if await relay.run_once() == 0:
                await asyncio.sleep(0.1)  # postponed rows come due in real time (no clock to inject here)
        assert sorted(telegram.texts()) == sorted(f"hello {i}" for i in range(40))
        assert states.count("sent") == 40 and states.count("failed") == 1
        assert telegram.too_many > 0  # the storm happened, and cost nothing
        await notifier.aclose()
        await engine.dispose()
