"""`domain.ports.Notifier` over the Telegram Bot API: one outbox payload → one message, errors as the
domain knows them. It speaks HTTP itself (aiohttp, about a fifth of httpx's CPU per call), so the outbox
relay needs no runtime running: `shopbot run` and `shopbot worker` both deliver through it. A payload is
shown as the runtimes show a reply (`bot.telegram.flow.send_reply`): buttons, photo, document, invoice, and
an edit that falls back to a fresh message when Telegram refuses it. An invoice's text and the invoice are
two messages: when the invoice fails after its text went out, the error says what is left to send.

429 → `RetryLater(retry_after)` for that chat (Telegram's answer does not say whether the chat's or the
bot's limit was hit; the relay's flood control paces the bot as a whole); 403 (blocked, deactivated,
kicked) and "chat not found" → `RecipientBlocked`; other 4xx → `DeliveryFailed(permanent=True)`; 5xx,
401/404 (a wrong token or API URL), timeouts, connection errors → `DeliveryFailed`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import aiohttp

from bot.observability.scrubbing import quiet_http_loggers
from bot.telegram.connection import TelegramConnection
from bot.telegram.flow import send_reply
from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater
from handlers.kernel.reply import Document, Invoice, Reply

__all__ = ["BotApiNotifier"]

log = logging.getLogger(__name__)


class BotApiNotifier:
    def __init__(self, connection: TelegramConnection, *, timeout: float = 10.0) -> None:
        quiet_http_loggers()
        self._base_url = f"{connection.api_url}/bot{connection.token}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None  # opened on the first call, on the running loop
        self._provider_token = connection.payment_provider_token

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        if payload.get("invoice") and payload["text"].strip():
            return await self._text_then_invoice(chat_id, payload)
        return await send_reply(self, Reply.from_payload(payload, chat_id), chat_id)

    async def _text_then_invoice(self, chat_id: int, payload: dict[str, Any]) -> int:
        """What to do, then the invoice: two messages, as `send_reply` shows such a reply. When the invoice
        fails after the text went out, the error's `unsent` is the invoice alone, so the retry does not
        send the text again."""
        await send_reply(self, Reply(payload["text"]), chat_id)
        invoice_alone = {**payload, "text": ""}
        try:
            return await send_reply(self, Reply.from_payload(invoice_alone, chat_id), chat_id)
        except (RetryLater, DeliveryFailed) as exc:
            exc.unsent = invoice_alone
            raise

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- BotOutput -------------------------------------------------------------------------------------
    async def send_text(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> int:
        return await self._message("sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": markup})

    async def send_photo(
        self, chat_id: int, photo: str | Path | bytes, caption: str, markup: dict[str, Any] | None
    ) -> int:
        params = {"chat_id": chat_id, "caption": caption, "reply_markup": markup}
        if isinstance(photo, str):
            return await self._message("sendPhoto", {**params, "photo": photo})
        if isinstance(photo, Path):
            upload = (photo.name, await asyncio.to_thread(photo.read_bytes))
        else:
            upload = ("chart.png", photo)  # an image made on the fly (the merchant's chart)
        return await self._message("sendPhoto", params, files={"photo": upload})

    async def send_document(self, chat_id: int, document: Document) -> int:
        params = {"chat_id": chat_id, "caption": document.caption}
        files = {"document": (document.filename, document.content)}
        return await self._message("sendDocument", params, files=files)

    async def send_invoice(self, chat_id: int, invoice: Invoice) -> int:
        params = {
            "chat_id": chat_id,
            "title": invoice.title,
            "description": invoice.description,
            "payload": invoice.payload,
            "currency": invoice.currency,
            "prices": [{"label": label, "amount": amount} for label, amount in invoice.prices],
            "provider_token": self._provider_token,
        }
        return await self._message("sendInvoice", params)

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> str | None:
        params = {"chat_id": chat_id, "message_id": message_id, "text": text, "reply_markup": markup}
        try:
            await self._call("editMessageText", params)
        except DeliveryFailed as exc:
            if not exc.permanent:
                raise
            return str(exc)  # Telegram refused this edit (HTTP 400)
        return None

    async def answer_button(self, query_id: str, text: str | None, alert: bool) -> None:
        await self._call(
            "answerCallbackQuery", {"callback_query_id": query_id, "text": text, "show_alert": alert}
        )

    async def answer_precheckout(self, query_id: str, ok: bool, error: str | None) -> None:
        params = {"pre_checkout_query_id": query_id, "ok": ok, "error_message": error}
        await self._call("answerPreCheckoutQuery", params)

    async def set_menu_button(self, label: str, url: str) -> None:
        """The button next to the message field opens the Mini App at `url` (https) in every private chat."""
        menu = {"type": "web_app", "text": label, "web_app": {"url": url}}
        await self._call("setChatMenuButton", {"menu_button": menu})

    # -- HTTP --------------------------------------------------------------------------------------------
    async def _message(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None
    ) -> int:
        result = await self._call(method, params, files=files)
        return result["message_id"]

    async def _call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> Any:
        present = {key: value for key, value in params.items() if value is not None}
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        body: Any = _form(present, files) if files else None
        try:
            async with self._session.post(
                self._base_url + method, data=body, json=None if files else present
            ) as response:
                status, reason, content = response.status, response.reason, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too: test them first
            raise DeliveryFailed(f"{method}: Telegram did not answer in time") from exc
        except aiohttp.ClientError as exc:
            raise DeliveryFailed(f"{method}: cannot reach Telegram ({type(exc).__name__})") from exc
        answer = _json(status, content)
        if answer.get("ok"):
            return answer["result"]
        description = str(answer.get("description") or reason or f"HTTP {status}")
        raise _domain_error(method, status, description, answer.get("parameters") or {})


def _form(params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for name, value in params.items():
        form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    for name, (filename, content) in files.items():
        form.add_field(name, content, filename=filename)
    return form


def _json(status: int, content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content)
    except ValueError:
        return {"ok": False, "description": f"HTTP {status}"}
    return body if isinstance(body, dict) else {"ok": False}


def _domain_error(method: str, status: int, description: str, parameters: dict[str, Any]) -> Exception:
    log.warning("telegram_refused method=%s status=%s description=%s", method, status, description)
    if status == 429:  # flood control
        return RetryLater(float(parameters.get("retry_after", 1)))
    if status == 403 or "chat not found" in description.lower():
        return RecipientBlocked(description)
    if status >= 500 or status in (401, 404):  # Telegram down, or the token is wrong: keep the message
        return DeliveryFailed(f"{method}: {description}")
    if "migrate_to_chat_id" in parameters:
        description += f" (the group moved to chat {parameters['migrate_to_chat_id']})"
    return DeliveryFailed(f"{method}: {description}", permanent=True)
