"""The webhook route: secret checked in constant time, bad bodies refused, the update stored before 200."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.http.server import start_http_server
from bot.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, chat_of, telegram_webhook
from domain.clock import FixedClock
from tests.fakes.memory import FakeInbox, MemoryState

SECRET = "s3cret_-token"
UPDATE = {
    "update_id": 9,
    "callback_query": {"id": "q", "from": {"id": 5}, "message": {"chat": {"id": -77}}, "data": "x"},
}


class BrokenInbox(FakeInbox):
    async def store(self, *args: Any) -> bool:
        raise ConnectionError("database went away")


@pytest.fixture
async def post() -> AsyncIterator[Any]:
    state = MemoryState()
    wakes: list[bool] = []
    app = web.Application()
    app.router.add_post(
        WEBHOOK_PATH,
        telegram_webhook(FakeInbox(state), SECRET, FixedClock(), on_stored=lambda: wakes.append(True)),
    )
    app.router.add_post("/broken", telegram_webhook(BrokenInbox(state), SECRET, FixedClock()))
    runner = await start_http_server(app, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"

    async def send(body: Any, secret: str | None = SECRET, path: str = WEBHOOK_PATH) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with aiohttp.ClientSession() as http:
            data = body if isinstance(body, bytes) else None
            async with http.post(url + path, json=None if data else body, data=data, headers=headers) as r:
                return r.status

    send.state, send.wakes = state, wakes  # type: ignore[attr-defined]
    yield send
    await runner.cleanup()


async def test_a_good_update_is_stored_once_and_wakes_the_processor(post):
    assert await post(UPDATE) == 200
    assert await post(UPDATE) == 200  # Telegram's redelivery
    assert list(post.state.inbox) == [9] and post.state.inbox[9].chat_id == -77
    assert post.wakes == [True]


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403), (SECRET + "x", 403), ("", 403)])
async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(post, secret, status):
    assert await post(UPDATE, secret=secret) == status
    assert post.state.inbox == {}


@pytest.mark.parametrize(
    "body", [b"not json", [1, 2], {"message": {}}, {"update_id": "9"}, {"update_id": True}]
)
async def test_a_body_that_is_not_an_update_is_refused(post, body):
    assert await post(body) == 400
    assert post.state.inbox == {}


async def test_when_the_update_cannot_be_stored_telegram_is_asked_to_deliver_it_again(post):
    assert await post(UPDATE, path="/broken") == 503


def test_updates_are_ordered_by_their_chat_or_else_their_sender():
    assert chat_of({"update_id": 1, "message": {"chat": {"id": 3}, "from": {"id": 4}}}) == 3
    assert chat_of({"update_id": 1, "pre_checkout_query": {"id": "p", "from": {"id": 4}}}) == 4
    assert chat_of({"update_id": 1, "poll": {"id": "x"}}) is None


async def test_an_update_whose_parts_have_the_wrong_shape_is_stored_once_not_refused_forever(post):
    odd = {"update_id": 10, "callback_query": {"id": "c", "message": "gone", "from": {"id": 4}}}
    assert await post(odd) == 200  # a 503 would have Telegram send it again and again
    assert post.state.inbox[10].chat_id == 4
    assert chat_of({"update_id": 1, "edited_message": {"message": ["x"], "chat": None}}) is None


@pytest.mark.parametrize(
    "body",
    [
        {**UPDATE, "update_id": 2**63},  # beyond the signed 64-bit ids Telegram and the database use
        {"update_id": 10, "message": {"message_id": 1, "from": {"id": 2**64}, "chat": {"id": 5}}},
        {"update_id": 11, "message": {"chat": {"id": -(2**63) - 1}}},
        b'{"update_id": 12, "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",  # nested 50,000 deep
        {
            "update_id": 13,
            "message": {
                "text": "x",
                "entities": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
            },
        },
    ],
)
async def test_an_update_beyond_64_bit_ids_or_nested_absurdly_deep_is_refused_and_not_stored(post, body):
    assert await post(body) == 400
    assert list(post.state.inbox) == [] and post.wakes == []
