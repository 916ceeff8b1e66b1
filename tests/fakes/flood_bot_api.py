"""A flood-limited fake Telegram Bot API on loopback (aiohttp), for the relay: sendMessage, sendPhoto,
editMessageText.

Answers like Telegram: `{"ok": true, "result": {...}}`, 429 with `parameters.retry_after` when the bot
goes over `per_second` messages in any second, 403 for chats that blocked the bot. Records every
delivered message so a test can check nothing arrived twice.
"""

from __future__ import annotations

import time
from collections import deque

from aiohttp import web

from tests.fakes.loopback import LoopbackServer

__all__ = ["FloodLimitedBotApi", "TOKEN"]

TOKEN = "123456:TEST-token"


class FloodLimitedBotApi(LoopbackServer):
    def __init__(self, *, per_second: float = 30, retry_after: int = 1) -> None:
        super().__init__()
        self.per_second = per_second
        self.retry_after = retry_after
        self.blocked: set[int] = set()
        self.messages: list[tuple[int, str]] = []
        self.too_many = 0
        self._recent: deque[float] = deque()

    def routes(self, app: web.Application) -> None:
        for method in ("sendMessage", "sendPhoto", "editMessageText"):
            app.router.add_post(f"/bot{TOKEN}/{method}", self._send)

    def texts(self) -> list[str]:
        return [text for _, text in self.messages]

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat_id = int(body["chat_id"])
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 0.95:  # 5% slack for timer jitter
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            self.too_many += 1
            return _error(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
        self._recent.append(now)
        text = body.get("text") or body.get("caption") or ""
        self.messages.append((chat_id, text))
        result = {
            "message_id": len(self.messages),
            "chat": {"id": chat_id},
            "date": int(time.time()),
            "text": text,
        }
        return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
