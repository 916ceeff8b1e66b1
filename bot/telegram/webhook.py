"""`POST /webhooks/telegram`: check Telegram's secret header, store the update in the inbox, answer 200.

The update is in the database before the 200 goes back, so a crash after answering loses nothing;
Telegram redelivers on any other answer, and the inbox keeps one copy per update id.

app.router.add_post(WEBHOOK_PATH, telegram_webhook(inbox, secret, clock, on_stored=processor.wake))
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiohttp import web

from domain.clock import Clock
from domain.ports import Inbox

__all__ = [
    "WEBHOOK_PATH",
    "SECRET_HEADER",
    "telegram_webhook",
    "chat_of",
    "check_secret",
    "out_of_bounds",
]

log = structlog.get_logger("shopbot.webhook")

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token


def check_secret(secret: str) -> str:
    if not _SECRET_FORM.fullmatch(secret):
        raise ValueError("SHOPBOT_TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return secret


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (its order is kept per chat); the sender's id when it has no chat."""
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        message = body.get("message")
        chat = body.get("chat") or (message.get("chat") if isinstance(message, dict) else None)
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return chat["id"]
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return sender["id"]
    return None


MAX_DEPTH = 32  # Telegram's deepest update (a reply to a message with a keyboard) is about a dozen levels
_ID_LIMIT = 2**63  # ids are signed 64-bit in the Bot API and in the database


def out_of_bounds(update: Any) -> str:
    """Why the update cannot be a Telegram update ("" when it can): nested too deep, or an integer
    beyond 64 bits (what the database would refuse, over and over, on each redelivery)."""
    stack: list[tuple[Any, int]] = [(update, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "nested too deep"
        if isinstance(value, int) and not isinstance(value, bool) and not -_ID_LIMIT <= value < _ID_LIMIT:
            return "number out of range"
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return ""


def telegram_webhook(
    inbox: Inbox, secret: str, clock: Clock, *, on_stored: Callable[[], None] = lambda: None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = check_secret(secret).encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="missing secret token")
        if not hmac.compare_digest(given.encode(), expected):
            log.warning("webhook_secret_mismatch", remote=request.remote)
            return web.Response(status=403, text="wrong secret token")
        try:
            update = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            return web.Response(status=400, text="body is not JSON")
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return web.Response(status=400, text="not a Telegram update")
        problem = out_of_bounds(update)
        if problem:
            log.warning("webhook_update_refused", reason=problem)
            return web.Response(status=400, text=problem)
        try:
            stored = await inbox.store(update_id, chat_of(update), update, clock.now())
        except Exception:  # not stored: Telegram must deliver it again
            log.exception("inbox_store_failed", update_id=update_id)
            return web.Response(status=503, text="try again")
        log.info("update_received", update_id=update_id, redelivery=not stored)
        if stored:
            on_stored()
        return web.Response(status=200)

    return receive
