"""A minimal `Notifier` speaking the Telegram Bot API over httpx, for the worker process.

The worker does not run a PTB/aiogram runtime, so it delivers outbox payloads itself: `sendMessage`
(`sendPhoto` with a photo, `editMessageText` for `edit_message_id`) with an inline keyboard built from
the payload's buttons. Errors map onto the domain's delivery errors: 429 → `RetryLater`
(`parameters.retry_after`), 403 and "chat not found" → `RecipientBlocked`, other 4xx → permanent
`DeliveryFailed`, 5xx/timeouts/garbled answers → transient `DeliveryFailed`.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater

__all__ = ["BotApiNotifier"]

logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the bot token


def _keyboard(rows: list[list[dict[str, Any]]]) -> dict[str, Any] | None:
    inline = [
        [
            {
                "text": b["label"],
                **({"url": b["url"]} if b.get("url") else {"callback_data": b.get("action") or ""}),
            }
            for b in row
            if not b.get("request_contact")
        ]
        for row in rows
    ]
    inline = [row for row in inline if row]
    return {"inline_keyboard": inline} if inline else None


class BotApiNotifier:
    def __init__(
        self,
        token: str,
        api_url: str = "https://api.telegram.org",
        *,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        body: dict[str, Any] = {"chat_id": chat_id}
        markup = _keyboard(payload.get("buttons") or [])
        if markup:
            body["reply_markup"] = markup
        if payload.get("edit_message_id"):
            method = "editMessageText"
            body |= {"message_id": payload["edit_message_id"], "text": payload["text"]}
        elif payload.get("photo"):
            method = "sendPhoto"
            body |= {"photo": payload["photo"], "caption": payload.get("text", "")[:1024]}
        else:
            method = "sendMessage"
            body["text"] = payload["text"]
        result = await self._call(method, body)
        return result.get("message_id") if isinstance(result, dict) else None

    async def _call(self, method: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._client.post(f"{self._base}/{method}", json=body)
        except httpx.TimeoutException as exc:
            raise DeliveryFailed(f"{method} timed out") from exc
        except httpx.TransportError as exc:
            raise DeliveryFailed(f"{method}: {type(exc).__name__}") from exc
        try:
            answer = response.json()
        except ValueError as exc:
            raise DeliveryFailed(f"{method}: HTTP {response.status_code}, not JSON") from exc
        if response.status_code == 200 and answer.get("ok"):
            return answer.get("result")
        description = str(answer.get("description", ""))
        code = answer.get("error_code", response.status_code)
        if code == 429:
            retry_after = (answer.get("parameters") or {}).get("retry_after", 1)
            raise RetryLater(float(retry_after))
        if code == 403 or "chat not found" in description.lower():
            raise RecipientBlocked(description or "forbidden")
        if 400 <= code < 500:
            raise DeliveryFailed(f"{method}: {code} {description}", permanent=True)
        raise DeliveryFailed(f"{method}: {code} {description}")
