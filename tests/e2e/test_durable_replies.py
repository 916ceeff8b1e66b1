"""`shopbot run` while the Bot API refuses messages for a while (429 with retry_after, then 500s): every
reply still arrives, once, as soon as Telegram takes it again; nothing is lost on the way. The merchant's
/stats chart and /export CSV too: uploads travel in the outbox like any reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.processes.web import RunOptions, run_bot
from tests.fakes.telegram_server import FakeTelegram, UploadedFile
from tests.shops.webhook import MERCHANT_CHAT, free_port, prepare_database, shop_settings

STAFF = 900


@pytest.fixture(params=["ptb", "aiogram"])
async def polling_bot(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FakeTelegram]:
    telegram = await FakeTelegram().start()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await prepare_database(database_url)
    settings = shop_settings(
        database_url,
        telegram,
        free_port(),
        outbox_poll_seconds=0.1,
        outbox_retry_seconds=0.3,
        merchant_user_ids=[STAFF],
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(settings, RunOptions(request.param, "polling"), stop=stop))
    await telegram.wait_until_asked("getUpdates", timeout=30)
    try:
        yield telegram
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await telegram.close()


async def delivered(telegram: FakeTelegram, chat_id: int, fragment: str, timeout: float = 15) -> int:  # noqa: ASYNC109
    """How many messages with `fragment` Telegram accepted for `chat_id`, once at least one was."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        accepted = [
            c
            for c in telegram.calls
            if c.method == "sendMessage"
            and c.status == 200
            and c.params.get("chat_id") == chat_id
            and fragment in c.params.get("text", "")
        ]
        if accepted:
            await asyncio.sleep(0.5)  # a second copy would come within this
            return len([c for c in telegram.calls if c in accepted or _same(c, chat_id, fragment)])
        assert asyncio.get_running_loop().time() < deadline, f"{fragment!r} never reached chat {chat_id}"
        await asyncio.sleep(0.02)  # polls a condition; the deadline bounds a broken run


def _same(call, chat_id: int, fragment: str) -> bool:
    return (
        call.method == "sendMessage"
        and call.status == 200
        and call.params.get("chat_id") == chat_id
        and fragment in call.params.get("text", "")
    )


async def test_a_reply_refused_with_429_arrives_once_after_retry_after(polling_bot: FakeTelegram):
    telegram = polling_bot
    telegram.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    started = asyncio.get_running_loop().time()

    await telegram.push_text(701, "/start")

    assert await delivered(telegram, 701, "Welcome to Tea House") == 1
    assert asyncio.get_running_loop().time() - started >= 1.0  # Telegram's retry_after was honoured
    refused = [c for c in telegram.calls_of("sendMessage") if c.status == 429]
    assert len(refused) == 2


async def test_replies_refused_with_500_for_a_while_all_arrive_once(polling_bot: FakeTelegram):
    telegram = polling_bot
    telegram.fail("sendMessage", 500, "Internal Server Error", times=3)

    await asyncio.gather(*(telegram.push_text(chat, "/start") for chat in (801, 802, 803)))

    counts = [await delivered(telegram, chat, "Welcome to Tea House") for chat in (801, 802, 803)]
    assert counts == [1, 1, 1]
    assert len([c for c in telegram.calls_of("sendMessage") if c.status == 500]) == 3


async def accepted_upload(telegram: FakeTelegram, method: str, chat_id: int, timeout: float = 15) -> list:  # noqa: ASYNC109
    """The `method` calls Telegram took for `chat_id`, once one was (and a second copy had time to come)."""
    deadline = asyncio.get_running_loop().time() + timeout

    def taken() -> list:
        return [
            c for c in telegram.calls_of(method) if c.status == 200 and c.params.get("chat_id") == chat_id
        ]

    while not taken():
        assert asyncio.get_running_loop().time() < deadline, f"no {method} reached chat {chat_id}"
        await asyncio.sleep(0.02)  # polls a condition; the deadline bounds a broken run
    await asyncio.sleep(0.5)  # a second copy would come within this
    return taken()


@pytest.mark.parametrize(
    ("command", "chat_id", "method"),
    [("/stats", STAFF, "sendPhoto"), ("/export", MERCHANT_CHAT, "sendDocument")],
)
async def test_a_chart_or_csv_refused_with_429_still_reaches_the_merchant_once(
    polling_bot: FakeTelegram, command: str, chat_id: int, method: str
):
    telegram = polling_bot
    telegram.fail(method, 429, "Too Many Requests: retry after 1", retry_after=1)
    started = asyncio.get_running_loop().time()

    await telegram.push_text(STAFF, command, chat_id=chat_id)  # /export in the group: the CSV comes privately

    sent = await accepted_upload(telegram, method, STAFF)
    assert len(sent) == 1 and asyncio.get_running_loop().time() - started >= 1.0
    assert [c.status for c in telegram.calls_of(method)] == [429, 200]
    upload = sent[0].params["photo" if method == "sendPhoto" else "document"]
    assert isinstance(upload, UploadedFile)
    if method == "sendPhoto":
        assert upload.content.startswith(b"\x89PNG")
    else:
        assert upload.filename.endswith(".csv") and upload.content.startswith(b"number,placed_at,")
