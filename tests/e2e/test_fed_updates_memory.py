"""A runtime keeps no update once it is answered: with 50 in flight, every update a framework kept
around (aiogram's dispatcher caches `Update.event_type` on the last 128 updates) is peak memory."""

from __future__ import annotations

import gc

import pytest

from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import build_runtime
from handlers.kernel.incoming import Incoming
from handlers.kernel.reply import Outcome
from tests.fakes.telegram_server import FakeTelegram


def _text(update_id: int) -> dict:
    user = {"id": 700 + update_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    chat = {"id": 700 + update_id, "type": "private", "first_name": "Ann"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 1_700_000_000, "chat": chat, "from": user, "text": "hi"},
    }


def _live(update_type: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, update_type))


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
async def test_fed_updates_are_not_kept_once_answered(runtime: str) -> None:
    if runtime == "aiogram":
        from aiogram.types import Update
    else:
        from telegram import Update
    seen: list[int | None] = []

    async def handler(event: Incoming) -> Outcome:
        seen.append(event.update_id)
        return Outcome()

    telegram = await FakeTelegram().start()
    running = build_runtime(runtime, TelegramConnection(telegram.token, telegram.url), handler)  # type: ignore[arg-type]
    try:
        await running.start_feeding()
        before = _live(Update)
        for update_id in range(1, 21):
            await running.feed(_text(update_id))
        edited = _text(21)
        edited["edited_message"] = edited.pop("message")
        await running.feed(edited)  # no handler sees an edit, as before

        assert seen == list(range(1, 21))
        assert _live(Update) <= before  # (other tests may leave some that go meanwhile)
    finally:
        await running.stop()
        await telegram.close()
