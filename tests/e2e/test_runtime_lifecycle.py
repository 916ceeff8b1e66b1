"""How the runtimes schedule updates, start and stop: users do not wait on each other, one user's
updates stay in order, a stop finishes the updates in hand, a handler bug does not leave a spinner."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import build_runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.echo import EchoShop

ANN, BOB = 501, 502


async def test_a_slow_user_does_not_hold_up_others_and_keeps_their_own_order(
    runtime, telegram: FakeTelegram, shop: EchoShop
) -> None:
    gate = shop.gate("first")
    await telegram.push_text(ANN, "first")
    await telegram.push_text(ANN, "second")
    await telegram.push_text(BOB, "hello")

    await telegram.wait_for("sendMessage", lambda p: p["chat_id"] == BOB)

    assert [e.text for e in shop.events if e.user_id == ANN] == ["first"]  # "second" waits its turn
    gate.set()
    await telegram.wait_for("sendMessage", lambda p: p["text"].startswith("echo: second"))
    to_ann = [c.params["text"] for c in telegram.calls_of("sendMessage") if c.params["chat_id"] == ANN]
    assert to_ann == ["echo: first [en]", "echo: second [en]"]


async def test_stop_answers_the_update_in_hand(runtime, telegram: FakeTelegram, shop: EchoShop) -> None:
    gate = shop.gate("slow")
    await telegram.push_text(ANN, "slow")
    await shop.arrived()

    stopping = asyncio.create_task(runtime.stop())
    gate.set()
    await stopping

    assert [c.params["text"] for c in telegram.calls_of("sendMessage")] == ["echo: slow [en]"]


async def test_handler_bug_still_stops_the_button_spinner(runtime, telegram: FakeTelegram) -> None:
    message_id = await telegram.bot_reply_to(ANN, "mugs")

    query_id = await telegram.press(ANN, message_id, "crash")

    answer = await telegram.wait_for("answerCallbackQuery")
    assert answer.params["callback_query_id"] == query_id
    assert answer.status == 200


async def test_handler_bug_refuses_the_payment_instead_of_taking_it(runtime, telegram: FakeTelegram) -> None:
    await telegram.pre_checkout(ANN, "crash", "EUR", 2400)

    answer = await telegram.wait_for("answerPreCheckoutQuery")

    assert answer.params["ok"] is False
    assert "try again" in answer.params["error_message"]


@pytest.mark.parametrize("name", ["ptb", "aiogram"])
async def test_polling_replaces_a_webhook_left_from_an_earlier_deployment(
    name, telegram: FakeTelegram, connection: TelegramConnection, shop: EchoShop
) -> None:
    telegram.webhook_url = "https://old.example/hook"
    running = build_runtime(name, connection, shop)
    await running.start()
    try:
        await telegram.push_text(ANN, "still there?")
        sent = await telegram.wait_for("sendMessage")
    finally:
        await running.stop()

    assert telegram.webhook_url == ""
    assert sent.params["text"] == "echo: still there? [en]"


@pytest.mark.parametrize("name", ["ptb", "aiogram"])
async def test_updates_sent_while_the_bot_was_down_are_answered_after_start(
    name, telegram: FakeTelegram, connection: TelegramConnection, shop: EchoShop
) -> None:
    await telegram.push_text(ANN, "anyone?")
    running = build_runtime(name, connection, shop)
    await running.start()
    try:
        sent = await telegram.wait_for("sendMessage")
    finally:
        await running.stop()

    assert sent.params["text"] == "echo: anyone? [en]"
    assert shop.events[0].update_id == 1000
