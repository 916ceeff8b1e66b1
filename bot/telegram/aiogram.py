"""The aiogram 3 runtime: each update through `UpdateFlow`.

`shopbot run` feeds it from the durable inbox (`start_feeding` or `start_webhook`, then `feed`), straight
into the flow: aiogram's `Dispatcher` would route each update to the one handler there is, and caches
`Update.event_type` in an `lru_cache` keyed on the update, which keeps the last 128 updates alive (about
1.5 MiB of peak memory, docs/benchmarks.md). `start` polls with a dispatcher, which confirms updates
before they are handled (tests and tools only).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    ForceReply,
    FSInputFile,
    InlineKeyboardMarkup,
    LabeledPrice,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from pydantic import BaseModel

from bot.observability.scrubbing import quiet_http_loggers
from bot.telegram.connection import TelegramConnection
from bot.telegram.flow import ButtonAnswers, UpdateFlow
from bot.telegram.updates import ALLOWED_UPDATES, as_read
from handlers.kernel.incoming import EventHandler
from handlers.kernel.reply import Document, Invoice

__all__ = ["AiogramRuntime"]

_MARKUPS: dict[str, type[BaseModel]] = {
    "inline_keyboard": InlineKeyboardMarkup,
    "keyboard": ReplyKeyboardMarkup,
    "remove_keyboard": ReplyKeyboardRemove,
    "force_reply": ForceReply,
}


def _markup(markup: dict[str, Any] | None) -> Any:
    if markup is None:
        return None
    kind = next(key for key in _MARKUPS if key in markup)
    return _MARKUPS[kind].model_validate(markup)


class AiogramOutput:
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
        if isinstance(photo, bytes):  # an image made on the fly (the merchant's chart)
            source: str | BufferedInputFile | FSInputFile = BufferedInputFile(photo, filename="chart.png")
        else:
            source = FSInputFile(photo) if isinstance(photo, Path) else photo
        message = await self._bot.send_photo(
            chat_id, source, caption=caption or None, reply_markup=_markup(markup)
        )
        return message.message_id

    async def send_document(self, chat_id: int, document: Document) -> int:
        upload = BufferedInputFile(document.content, filename=document.filename)
        message = await self._bot.send_document(chat_id, upload, caption=document.caption or None)
        return message.message_id

    async def send_invoice(self, chat_id: int, invoice: Invoice) -> int:
        message = await self._bot.send_invoice(
            chat_id,
            title=invoice.title,
            description=invoice.description,
            payload=invoice.payload,
            currency=invoice.currency,
            prices=[LabeledPrice(label=label, amount=amount) for label, amount in invoice.prices],
            provider_token=self._provider_token,
        )
        return message.message_id

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> str | None:
        try:
            await self._bot.edit_message_text(
                text=text, chat_id=chat_id, message_id=message_id, reply_markup=_markup(markup)
            )
        except TelegramBadRequest as exc:
            return exc.message
        return None

    async def answer_button(self, query_id: str, text: str | None, alert: bool) -> None:
        if self._answers is not None:
            await self._answers.answer_button(query_id, text, alert)
            return
        await self._bot.answer_callback_query(query_id, text=text, show_alert=alert)

    async def answer_precheckout(self, query_id: str, ok: bool, error: str | None) -> None:
        await self._bot.answer_pre_checkout_query(query_id, ok, error_message=error)


class AiogramRuntime:
    """`start()` returns once polling runs; `stop()` finishes the updates in hand and closes."""

    def __init__(
        self, connection: TelegramConnection, handler: EventHandler, *, answers: ButtonAnswers | None = None
    ) -> None:
        quiet_http_loggers()
        session = AiohttpSession(api=TelegramAPIServer.from_base(connection.api_url))
        self._bot = Bot(connection.token, session=session)
        self._poll_timeout = connection.poll_timeout
        self._dispatcher: Dispatcher | None = None  # only `start` polls through one
        self._polling: asyncio.Task[None] | None = None
        self._flow = UpdateFlow(handler)
        self._out = AiogramOutput(self._bot, connection.payment_provider_token, answers)

    def _polling_dispatcher(self) -> Dispatcher:
        # no aiogram FSM: conversations are the handlers' dialogs, kept in the database (its middleware
        # would look up a state in memory for every update)
        dispatcher = Dispatcher(disable_fsm=True)

        async def on_update(event: object, event_update: Update) -> None:
            await self._flow(event_update, self._out)

        for observer in (dispatcher.message, dispatcher.callback_query, dispatcher.pre_checkout_query):
            observer.register(on_update)
        return dispatcher

    async def start(self) -> None:
        self._dispatcher = self._polling_dispatcher()
        started = asyncio.Event()

        async def on_startup() -> None:
            started.set()

        self._dispatcher.startup.register(on_startup)
        await self._bot.delete_webhook()  # as PTB does: polling and a webhook exclude each other
        self._polling = asyncio.create_task(
            self._dispatcher.start_polling(
                self._bot,
                polling_timeout=self._poll_timeout,
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=False,
                close_bot_session=False,
            )
        )
        waiting = asyncio.create_task(started.wait())
        await asyncio.wait((self._polling, waiting), return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if self._polling.done():
            await self._polling  # raises why polling could not start

    async def start_feeding(self) -> None:
        """Receive through `feed` only (`shopbot run` polls into the inbox itself): nothing to start."""

    async def start_webhook(self, url: str, secret: str) -> None:
        """Receive through `feed` (webhook mode): ask Telegram to post updates to `url` with `secret`."""
        await self._bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed(self, payload: dict[str, Any]) -> None:
        """Handle one update as Telegram sent it; returns once it is answered, raises `HandlingFailed`
        when the handler failed (nothing of it was kept)."""
        update = Update.model_validate(as_read(payload), context={"bot": self._bot})
        await self._flow(update, self._out)  # ignores what is not a message, button or pre-checkout query
        self._flow.check(update.update_id)

    async def stop(self) -> None:
        if self._dispatcher is not None and self._polling is not None and not self._polling.done():
            await self._dispatcher.stop_polling()
        if self._polling is not None:
            await self._polling
        await self._flow.drain()
        await self._bot.session.close()
