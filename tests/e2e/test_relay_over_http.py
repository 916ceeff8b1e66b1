"""The relay on a real SQLite outbox delivering through the Bot API notifier to the fake Telegram."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.background.express_replies import ExpressReplies
from bot.background.outbox_relay import OutboxRelay, RelayPolicy
from bot.clock import UtcClock
from bot.flood_control import FloodControl
from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.outbox import queue_replies
from handlers.kernel.reply import Invoice, Outcome, Reply
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue
from storage.queues.outbox_table import OutboxRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.fakes.flood_bot_api import TOKEN, FloodLimitedBotApi
from tests.fakes.telegram_server import FakeTelegram
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


BUYER = 7001
PAY_TEXT = "Held for you until 12:30.\nPay with the invoice below; I send you a receipt once it goes through."
INVOICE = Invoice("Order K7M-2QXD", "1 item: Green tea × 1", "order:K7M-2QXD", "USD", (("Tea", 1250),))


@pytest.fixture
async def bot_api():
    server = await FakeTelegram().start()
    yield server
    await server.close()


@pytest.mark.parametrize(
    ("status", "description", "retry_after"),
    [(500, "Internal Server Error", None), (429, "Too Many Requests: retry after 1", 1)],
)
async def test_an_invoice_refused_after_its_text_went_out_is_retried_alone(
    bot_api: FakeTelegram, tmp_path, status: int, description: str, retry_after: int | None
):
    """The turn's reply goes out right after its commit (express) and Telegram refuses the invoice once;
    the relay's own loop retries it: the customer reads what to do once, then gets the invoice once."""
    bot_api.fail("sendInvoice", status, description, retry_after=retry_after)
    async with temporary_database("sqlite", tmp_path) as url:
        engine = engine_for(url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        clock = UtcClock()
        units = SqlAlchemyUnitOfWorkFactory(engine, worker="bot-1")
        connection = TelegramConnection(bot_api.token, bot_api.url, payment_provider_token="provider-token")
        notifier = BotApiNotifier(connection)
        policy = RelayPolicy(backoff_base_seconds=0.2)
        flood = FloodControl(per_second=30, private_per_second=1, group_per_minute=20)  # the defaults
        queue = SqlAlchemyOutboxQueue(sessions)
        relay = OutboxRelay(queue, notifier, flood, clock, policy=policy, worker=units.worker)

        async def pay_in_telegram(event: Incoming) -> Outcome:  # the turn: its reply written with it
            async with units() as uow:
                outcome = Outcome(replies=[Reply(PAY_TEXT, invoice=INVOICE)])
                outcome = await queue_replies(uow, event, outcome, clock.now())
                await uow.commit()
            return outcome

        shown = await ExpressReplies(pay_in_telegram, relay, clock)(Incoming(Kind.TEXT, BUYER, BUYER))
        assert shown.replies == []  # all of it went to the outbox
        for _ in range(100):
            async with sessions() as session:
                [state] = (await session.execute(select(OutboxRow.state))).scalars()
            if state != "pending":
                break
            if await relay.run_once() == 0:
                await asyncio.sleep(0.1)  # the retry comes due in real time
        assert state == "sent"
        taken = [c for c in bot_api.calls if c.status == 200 and c.params.get("chat_id") == BUYER]
        assert [(c.method, c.params.get("text") or c.params["title"]) for c in taken] == [
            ("sendMessage", PAY_TEXT),
            ("sendInvoice", INVOICE.title),
        ]
        assert [c.status for c in bot_api.calls_of("sendInvoice")] == [status, 200]
        await notifier.aclose()
        await engine.dispose()
