"""A pressed button's update carries the whole message it sits under, keyboard and all. The runtimes hand
their framework the update without that keyboard (nothing reads it, and parsing a catalog page's buttons
was an eighth of the CPU of an update): the press still reads the same, on either runtime, and the
update as stored is left whole."""

from __future__ import annotations

import copy

import pytest

from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import build_runtime
from bot.telegram.updates import as_read
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Outcome
from tests.fakes.telegram_server import FakeTelegram

CHAT = 5150


def _press(*, photo: bool) -> dict:
    keyboard = [[{"text": f"Tea {n}", "callback_data": f"p:{n}"}] for n in range(10)]
    message: dict = {
        "message_id": 77,
        "date": 1_700_000_000,
        "chat": {"id": CHAT, "type": "private", "first_name": "Ann"},
        "from": {"id": 1, "is_bot": True, "first_name": "Tea House"},
        "reply_markup": {"inline_keyboard": keyboard},
    }
    if photo:
        message["photo"] = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
        message["caption"] = "Black tea"
    else:
        message["text"] = "Teas"
    return {
        "update_id": 9001,
        "callback_query": {
            "id": "q-1",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "chat_instance": "ci",
            "data": "c:teas",
            "message": message,
        },
    }


def test_only_the_pressed_messages_keyboard_is_left_out():
    update = _press(photo=True)
    stored = copy.deepcopy(update)
    read = as_read(update)
    assert "reply_markup" not in read["callback_query"]["message"]
    assert read["callback_query"]["message"]["photo"] == update["callback_query"]["message"]["photo"]
    assert update == stored  # the inbox's copy is untouched
    text = {"update_id": 1, "message": {"message_id": 3, "text": "hi", "reply_markup": {"keyboard": []}}}
    assert as_read(text) is text  # only a pressed button's message is trimmed


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
@pytest.mark.parametrize("photo", [False, True])
async def test_a_press_reads_the_same_without_the_keyboard(runtime: str, photo: bool):
    seen: list[Incoming] = []

    async def handler(event: Incoming) -> Outcome:
        seen.append(event)
        return Outcome(answer="ok")

    telegram = await FakeTelegram().start()
    running = build_runtime(runtime, TelegramConnection(telegram.token, telegram.url), handler)  # type: ignore[arg-type]
    try:
        await running.start_feeding()
        update = _press(photo=photo)
        await running.feed(update)
    finally:
        await running.stop()
        await telegram.close()
    [event] = seen
    assert (event.kind, event.chat_id, event.user_id, event.message_id) == (Kind.BUTTON, CHAT, CHAT, 77)
    assert (event.action, event.pressed_photo) == ("c:teas", photo)
    assert "reply_markup" in update["callback_query"]["message"]
    [answer] = telegram.calls_of("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "q-1"
