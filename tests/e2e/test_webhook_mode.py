"""`shopbot run --mode webhook` in-process against the fake Bot API: a whole customer journey through each
runtime, the secret check, redeliveries, readiness, metrics, and logs free of tokens and personal data."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import structlog

from bot.observability.logs import configure_logging
from bot.processes.web import RunOptions, run_bot
from storage.database.engine import create_engine, dispose, session_factory
from storage.queues.inbox import SqlAlchemyInbox
from tests.shops.webhook import (
    SECRET,
    Shopper,
    WebhookTelegram,
    bot_env,
    checkout_journey,
    free_port,
    post_update,
    prepare_database,
    shop_settings,
    started,
)

PHONE = "+1 202 555 0100"
STREET = "77 Quince Lane"
CITY = "Quillbury"
POSTAL_CODE = "QX7 4ZB"
NAME = "Alice Smithson"


@dataclass
class Bot:
    telegram: WebhookTelegram
    url: str
    database_url: str
    logs: io.StringIO


@pytest.fixture(autouse=True)
def _restore_logging() -> AsyncIterator[None]:
    yield
    structlog.reset_defaults()
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)


@pytest.fixture(params=["ptb", "aiogram"])
async def bot(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    logs = io.StringIO()
    monkeypatch.setattr(sys, "stderr", logs)  # where configure_logging sends every log line
    configure_logging("DEBUG", "json")  # the frameworks' DEBUG lines carried texts and the secret
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await prepare_database(database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    async def deliver(update: dict) -> None:
        assert await post_update(url, update) == 200

    telegram = await WebhookTelegram(deliver).start()
    settings = shop_settings(database_url, telegram, port)
    stop = asyncio.Event()
    running = asyncio.create_task(
        run_bot(settings, RunOptions(request.param, "webhook", jobs=False), stop=stop)
    )
    await started(running, telegram)
    try:
        yield Bot(telegram, url, database_url, logs)
    finally:
        stop.set()
        await running
        await telegram.close()


async def _pending_inbox(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        return await SqlAlchemyInbox(session_factory(engine)).backlog()
    finally:
        await dispose(engine)


async def test_a_customer_orders_over_the_webhook_and_the_debug_json_log_holds_no_personal_data(
    bot: Bot, capsys
):
    hook = bot.telegram.calls_of("setWebhook")[0].params
    assert hook["url"] == bot.url + "/webhooks/telegram" and hook["secret_token"] == SECRET
    assert set(hook["allowed_updates"]) == {"message", "callback_query", "pre_checkout_query"}

    alice = Shopper(bot.telegram, 4242)
    address = f"{STREET}, {CITY}, {POSTAL_CODE}, US"
    steps = checkout_journey("Green tea", name=NAME, phone=PHONE, address=address)
    placed = await alice.walk(steps)
    [order_number] = re.findall(r"\b[A-Z0-9]{3}-[A-Z0-9]{4}\b", placed.params["text"])

    logs = bot.logs.getvalue()
    lines = logs.splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(record, dict) and "event" in record for record in records)
    # libraries' standard-library loggers come out as JSON too (aiogram's runtime logs nothing per update
    # since it feeds the flow without a Dispatcher; Alembic's migration lines are there either way)
    libraries = {"telegram", "aiohttp", "aiogram", "alembic"}
    assert libraries & {r.get("logger", "").split(".")[0] for r in records}
    assert '"update_received"' in logs and '"update_handled"' in logs and '"update_id"' in logs
    assert f'"order_id": "{order_number}"' in logs
    bot_texts = [c.params["text"] for c in bot.telegram.calls if "text" in c.params]
    assert not [text for text in bot_texts if len(text) > 20 and text in logs]  # what the bot wrote
    personal = (
        NAME,
        "Smithson",
        PHONE,
        PHONE.replace(" ", ""),
        "5550100",
        "2025550100",
        STREET,
        CITY,
        POSTAL_CODE,
    )
    for secret in (bot.telegram.token, SECRET, *personal):
        assert secret not in logs


async def test_a_post_without_the_right_secret_is_refused_and_nothing_is_handled(bot: Bot):
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "Eve"},
            "text": "hi",
        },
    }
    assert await post_update(bot.url, update, secret="wrong-secret") == 403
    async with aiohttp.ClientSession() as http:
        async with http.post(bot.url + "/webhooks/telegram", json=update) as response:
            assert response.status == 401
    assert await _pending_inbox(bot.database_url) == 0
    assert not bot.telegram.calls_of("sendMessage")


async def test_an_update_telegram_delivers_twice_is_answered_once(bot: Bot):
    delivered: list[dict] = []

    async def keep(update: dict) -> None:
        delivered.append(update)

    bot.telegram.deliver = keep
    bob = Shopper(bot.telegram, 5151)
    await bot.telegram.push_text(bob.user_id, "/start")
    [update] = delivered
    assert await post_update(bot.url, update) == 200
    assert await post_update(bot.url, update) == 200
    await bob._reply(0, "Welcome to Tea House")
    await bot.telegram.push_text(bob.user_id, "/help")
    assert await post_update(bot.url, delivered[-1]) == 200
    await bob._reply(0, "/catalog")  # the later update is answered, so the first is long done
    welcomes = [c for c in bot.telegram.calls_of("sendMessage") if "Welcome" in c.params.get("text", "")]
    assert len(welcomes) == 1


async def test_readyz_says_ready_and_metrics_count_handled_updates(bot: Bot):
    await Shopper(bot.telegram, 6161).send("/start", expect="Welcome")
    async with aiohttp.ClientSession() as http:
        async with http.get(bot.url + "/readyz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ready"
        async with http.get(bot.url + "/healthz") as response:
            assert response.status == 200
        async with http.get(bot.url + "/metrics") as response:
            text = await response.text()
    assert 'shopbot_updates_total{outcome="ok",type="command"} 1.0' in text
    assert "shopbot_handler_seconds_bucket" in text and "shopbot_outbox_backlog" in text


async def _shopbot(bot: Bot, *args: str) -> str:
    env = bot_env(bot.database_url, bot.telegram, bot.url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


async def test_operators_see_the_webhook_and_can_delete_it(bot: Bot):
    info = await _shopbot(bot, "webhook", "info")
    assert f"url: {bot.url}/webhooks/telegram" in info and "pending updates: 0" in info
    assert "webhook removed" in await _shopbot(bot, "webhook", "delete")
    assert bot.telegram.webhook_url == ""
