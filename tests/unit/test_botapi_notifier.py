"""How Bot API answers become delivery outcomes (httpx MockTransport: no network)."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.botapi_notifier import BotApiNotifier
from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater


def _notifier(status: int, body: dict, seen: list | None = None) -> BotApiNotifier:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append((request.url.path, json.loads(request.content)))
        return httpx.Response(status, json=body)

    return BotApiNotifier(
        "1:T", "http://telegram.test", client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )


async def test_a_message_with_buttons_goes_out_as_an_inline_keyboard():
    seen: list = []
    notifier = _notifier(200, {"ok": True, "result": {"message_id": 77}}, seen)
    payload = {
        "text": "Paid",
        "buttons": [[{"label": "Track", "action": "t:1"}, {"label": "Site", "url": "https://x"}]],
    }
    assert await notifier.deliver(5, payload) == 77
    path, body = seen[0]
    assert path == "/bot1:T/sendMessage"
    assert body["reply_markup"] == {
        "inline_keyboard": [[{"text": "Track", "callback_data": "t:1"}, {"text": "Site", "url": "https://x"}]]
    }


async def test_telegram_errors_map_to_what_the_relay_should_do():
    cases = [
        (
            429,
            {"ok": False, "error_code": 429, "description": "Too Many", "parameters": {"retry_after": 7}},
            RetryLater,
        ),
        (
            403,
            {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
            RecipientBlocked,
        ),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
            RecipientBlocked,
        ),
        (
            400,
            {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"},
            DeliveryFailed,
        ),
        (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, DeliveryFailed),
    ]
    for status, body, error in cases:
        with pytest.raises(error) as caught:
            await _notifier(status, body).deliver(5, {"text": "hi"})
        if error is RetryLater:
            assert caught.value.seconds == 7
        if status == 400 and error is DeliveryFailed:
            assert caught.value.permanent
        if status == 502:
            assert not caught.value.permanent
