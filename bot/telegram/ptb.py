"""The python-telegram-bot 22 runtime: each update through `UpdateFlow`.

`shopbot run` feeds it from the durable inbox (`start_feeding` or `start_webhook`, then `feed`); `start`
polls with PTB's own updater, which confirms updates before they are handled (tests and tools only).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    LabeledPrice,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.observability.scrubbing import quiet_http_loggers
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.connection import TelegramConnection
from bot.telegram.flow import ButtonAnswers, UpdateFlow
from bot.telegram.updates import ALLOWED_UPDATES, as_read
from handlers.kernel.incoming import EventHandler
from handlers.kernel.reply import Document, Invoice

__all__ = ["PtbRuntime"]

_MARKUPS: dict[str, type[TelegramObject]] = {
    "inline_keyboard": InlineKeyboardMarkup,
    "keyboard": ReplyKeyboardMarkup,
    "remove_keyboard": ReplyKeyboardRemove,
    "force_reply": ForceReply,
}


def _markup(markup: dict[str, Any] | None) -> Any:
    if markup is None:
        return None
    kind = next(key for key in _MARKUPS if key in markup)
    return _MARKUPS[kind].de_json(markup, None)


class PtbOutput:
    def __init__(self, bot: Bot, payment_provider_token: str, answers: ButtonAnswers | None = None) -> None:
        self._bot = bot
        self._provider_token = payment_provider_token
        self._answers = answers

    async def send_text(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> int:
        message = await self._bot.send_message(chat_id, text, reply_markup=_markup(markup))
        return message.message_id

    async def send_photo(
        self, chat_id: int, photo: str | Path | bytes, caption: str, markup: dict[str, Any] | None
    ) -> int:
        message = await self._bot.send_photo(
            chat_id, photo, caption=caption or None, reply_markup=_markup(markup)
        )
        return message.message_id

    async def send_document(self, chat_id: int, document: Document) -> int:
        message = await self._bot.send_document(
            chat_id, document.content, filename=document.filename, caption=document.caption or None
        )
        return message.message_id

    async def send_invoice(self, chat_id: int, invoice: Invoice) -> int:
        message = await self._bot.send_invoice(
            chat_id,
            title=invoice.title,
            description=invoice.description,
            payload=invoice.payload,
            currency=invoice.currency,
            prices=[LabeledPrice(label, amount) for label, amount in invoice.prices],
            provider_token=self._provider_token,
        )
        return message.message_id

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> str | None:
        try:
            await self._bot.edit_message_text(text, chat_id, message_id, reply_markup=_markup(markup))
        except BadRequest as exc:
            return exc.message
        return None

    async def answer_button(self, query_id: str, text: str | None, alert: bool) -> None:
        if self._answers is not None:
            await self._answers.answer_button(query_id, text, alert)
            return
        await self._bot.answer_callback_query(query_id, text=text, show_alert=alert)

    async def answer_precheckout(self, query_id: str, ok: bool, error: str | None) -> None:
        await self._bot.answer_pre_checkout_query(query_id, ok, error_message=error)


class PtbRuntime:
    """`start()` returns once polling runs; `stop()` finishes the updates in hand and closes."""

    def __init__(
        self, connection: TelegramConnection, handler: EventHandler, *, answers: ButtonAnswers | None = None
    ) -> None:
        quiet_http_loggers()
        self._app = (
            Application.builder()
            .token(connection.token)
            .base_url(f"{connection.api_url}/bot")
            .base_file_url(f"{connection.api_url}/file/bot")
            .request(AiohttpRequest())  # PTB's own extension point; httpx costs ~5x the CPU per call
            .get_updates_request(AiohttpRequest(pool=1, read_timeout=connection.poll_timeout + 10))
            .job_queue(None)  # scheduled work runs in jobs/, not inside the bot
            .concurrent_updates(True)  # UpdateFlow keeps each user's updates in order
            .build()
        )
        self._poll_timeout = connection.poll_timeout
        self._flow = flow = UpdateFlow(handler)
        out = PtbOutput(self._app.bot, connection.payment_provider_token, answers)

        async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await flow(update, out)

        self._app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, on_update))
        self._app.add_handler(CallbackQueryHandler(on_update))
        self._app.add_handler(PreCheckoutQueryHandler(on_update))
        self._app.add_error_handler(_log_error)

    async def start(self) -> None:
        await self._app.initialize()
        assert self._app.updater is not None  # the application is built with one
        await self._app.updater.start_polling(
            poll_interval=0,
            timeout=dt.timedelta(seconds=self._poll_timeout),
            allowed_updates=ALLOWED_UPDATES,
        )
        await self._app.start()

    async def start_feeding(self) -> None:
        """Receive through `feed` only (`shopbot run` polls into the inbox itself)."""
        await self._app.initialize()
        await self._app.start()

    async def start_webhook(self, url: str, secret: str) -> None:
        """Receive through `feed` (webhook mode): ask Telegram to post updates to `url` with `secret`."""
        await self._app.initialize()
        await self._app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        await self._app.start()

    async def feed(self, payload: dict[str, Any]) -> None:
        """Handle one update as Telegram sent it; returns once it is answered, raises `HandlingFailed`
        when the handler failed (nothing of it was kept)."""
        await self._app.process_update(Update.de_json(as_read(payload), self._app.bot))
        self._flow.check(payload["update_id"])

    async def stop(self) -> None:
        if self._app.updater is not None and self._app.updater.running:
            await self._app.updater.stop()
        if self._app.running:
            await self._app.stop()
        await self._app.shutdown()


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    logging.getLogger(__name__).error(
        "update_failed update_id=%s error=%s", update_id, type(context.error).__name__
    )
