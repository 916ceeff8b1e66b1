"""A wrong answer at a checkout step edits the question in place even when the bot restarted between the
question and the answer: the question's message id is kept with the checkout in the database, written when
the outbox relay delivered it. `shopbot run` (polling, replies through the outbox) on both runtimes, SQLite,
against the fake Bot API; the second process is a new runtime over the same database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.processes.web import RunOptions, run_bot
from bot.settings import Settings
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.telegram_chat import TelegramChat
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.webhook import free_port, prepare_database, shop_settings

ERIN = 7401


@asynccontextmanager
async def _running(settings: Settings, runtime: str, telegram: FakeTelegram) -> AsyncIterator[None]:
    stop = asyncio.Event()
    asked = telegram.asked.count("getUpdates")
    task = asyncio.create_task(run_bot(settings, RunOptions(runtime, "polling"), stop=stop))
    await telegram.wait_until_asked("getUpdates", after=asked, timeout=30)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


@dataclass
class Restartable:
    telegram: FakeTelegram
    settings: Settings
    runtime: str

    def running(self) -> AbstractAsyncContextManager[None]:
        return _running(self.settings, self.runtime, self.telegram)

    async def question_shown_in(self, user_id: int, message_id: int) -> None:
        """Wait until the database knows `message_id` shows the user's question (the relay writes it once
        Telegram took the message)."""
        engine = create_engine(self.settings.database_url)
        try:
            for _ in range(200):
                async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
                    if await uow.dialogs.message_of(user_id) == message_id:
                        return
                await asyncio.sleep(0.025)  # polls a condition; the bound only ends a broken run
        finally:
            await dispose(engine)
        raise AssertionError(f"message {message_id} was never recorded as the question")


@pytest.fixture(params=["ptb", "aiogram"])
async def shop(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Restartable]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await prepare_database(database_url)
    telegram = await FakeTelegram().start()
    settings = shop_settings(database_url, telegram, free_port(), outbox_poll_seconds=0.1)
    try:
        yield Restartable(telegram, settings, request.param)
    finally:
        await telegram.close()


def _sent_to(telegram: FakeTelegram, chat_id: int) -> int:
    return sum(c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id for c in telegram.calls)


async def test_a_wrong_answer_after_a_restart_edits_the_question_in_place(shop: Restartable):
    telegram = shop.telegram
    erin = TelegramChat(telegram, ERIN)
    async with shop.running():
        await erin.send("/start p_TEA-GREEN", then="Green tea")
        await erin.press("Buy now", then="Who will receive the order?")
        question_id = erin._shown()[-1][0]
        await shop.question_shown_in(ERIN, question_id)

    async with shop.running():  # a new process: nothing of the first one's memory is left
        sent_before = _sent_to(telegram, ERIN)
        await erin.send("\u3164", then="The name must have letters")
        assert erin._shown()[-1][0] == question_id  # the same message, now with what was wrong
        assert "Who will receive the order?" in erin.text
        assert _sent_to(telegram, ERIN) == sent_before
        await erin.send("/help", then="Your checkout is kept where you left it.")
        note_id = erin._shown()[-1][0]
        await shop.question_shown_in(ERIN, note_id)
        await erin.send("x" * 300, then="That name is too long")  # the note at the bottom gives way to it
        assert erin._shown()[-1][0] == note_id and "Who will receive the order?" in erin.text
        await erin.send("Erin Example", then="phone")
