"""A lean fake Bot API for load: the test fake's methods and wire format, without its call log.

`tests.fakes.telegram_server.FakeTelegram` records every call and wakes every waiter on each one, which
is right for tests and too slow for hundreds of updates a second. This subclass keeps the methods (and
so Telegram's checks: an edit of a photo's text is refused, as Telegram refuses it) but remembers only
what a simulated customer needs: the latest inline keyboard per chat, and one waiting expectation per
chat that the bot's next matching message or edit resolves. Refused calls are counted per method.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.fakes.telegram_server import ApiError, FakeTelegram, _error, _read_params

__all__ = ["LoadTelegram", "NoButton"]

_SHOWN = {"sendmessage", "sendphoto", "editmessagetext", "editmessagecaption", "editmessagemedia"}


class NoButton(LookupError):
    """The chat's latest keyboard has no button with that label."""


class LoadTelegram(FakeTelegram):
    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, tuple[str, asyncio.Future[float]]] = {}
        self.keyboards: dict[int, tuple[int, list[tuple[str, str]]]] = {}  # chat → (message id, buttons)
        self.refused: Counter[str] = Counter()
        self.calls_by_method: Counter[str] = Counter()
        self.deliver: Callable[[dict[str, Any]], Awaitable[None]] | None = None  # webhook mode
        self.hooked = asyncio.Event()

    def expect(self, chat_id: int, text: str) -> asyncio.Future[float]:
        """A future set to `time.perf_counter()` when the bot next shows `text` (a part of it) in the chat."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = (text, done)
        return done

    def button(self, chat_id: int, label: str) -> tuple[int, str]:
        """(message id, callback data) of the button of the chat's latest keyboard whose label has `label`."""
        message_id, buttons = self.keyboards.get(chat_id, (0, []))
        for text, data in buttons:
            if label in text:
                return message_id, data
        raise NoButton(label)

    def forget(self, chat_id: int) -> None:
        """Drop a finished customer's messages (keeps a long run's memory flat)."""
        self.keyboards.pop(chat_id, None)
        for key in [k for k in self.messages if k[0] == chat_id]:
            del self.messages[key]

    async def push_update(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.deliver is None:
            return await super().push_update(kind, body)
        update = {"update_id": next(self._queue.ids), kind: body}
        await self.deliver(update)
        return update

    async def _serve(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _read_params(request)
        self.calls_by_method[method] += 1
        try:
            result = await self._dispatch(method, params)
        except ApiError as exc:
            self.refused[method] += 1
            return _error(exc.status, exc.description, exc.parameters)
        if method.lower() == "setwebhook":
            self.hooked.set()
        elif method.lower() in _SHOWN and isinstance(result, dict):
            self._shown(result)
        return web.json_response({"ok": True, "result": result})

    def _shown(self, message: dict[str, Any]) -> None:
        chat_id = message["chat"]["id"]
        markup = message.get("reply_markup") or {}
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            buttons = [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
            self.keyboards[chat_id] = (message["message_id"], buttons)
        waiting = self.waiting.get(chat_id)
        if waiting is not None and waiting[0] in (message.get("text") or message.get("caption") or ""):
            del self.waiting[chat_id]
            if not waiting[1].done():
                waiting[1].set_result(time.perf_counter())
