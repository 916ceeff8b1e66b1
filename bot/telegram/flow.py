"""One update's trip through a runtime: read it, let the handler decide, show the outcome.

The runtimes differ only in how they call Telegram; they hand that over as a `BotOutput`. Updates of one
user are handled one at a time and in order (two quick taps cannot interleave a checkout), while
different users never wait for each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from bot.telegram.limits import CAPTION_LIMIT, fit
from bot.telegram.markup import is_inline, local_file, reply_markup
from bot.telegram.updates import read_update
from handlers.kernel.incoming import EventHandler, Incoming, Kind
from handlers.kernel.reply import Document, Invoice, Outcome, Reply

__all__ = ["BotOutput", "ButtonAnswers", "UpdateFlow", "HandlingFailed", "send_reply"]

log = logging.getLogger(__name__)

PAYMENT_CHECK_FAILED = "Sorry, this payment could not be checked. Please try again in a minute."


class ButtonAnswers(Protocol):
    """Where a pressed button is answered (its toast, which also stops its spinner)."""

    async def answer_button(self, query_id: str, text: str | None, alert: bool) -> None: ...


class BotOutput(Protocol):
    """The Bot API calls a reply needs; each returns the message id Telegram gave."""

    async def send_text(self, chat_id: int, text: str, markup: dict[str, Any] | None) -> int: ...
    async def send_photo(
        self, chat_id: int, photo: str | Path | bytes, caption: str, markup: dict[str, Any] | None
    ) -> int:
        """`photo`: a URL or file id (str), a file to upload (Path), or image bytes made on the fly."""

    async def send_document(self, chat_id: int, document: Document) -> int: ...
    async def send_invoice(self, chat_id: int, invoice: Invoice) -> int: ...
    async def edit_text(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> str | None:
        """None once edited; else why Telegram refused (HTTP 400 description: gone, too old, unchanged)."""

    async def answer_button(self, query_id: str, text: str | None, alert: bool) -> None: ...
    async def answer_precheckout(self, query_id: str, ok: bool, error: str | None) -> None: ...


async def send_reply(
    out: BotOutput,
    reply: Reply,
    chat_id: int,
    pressed_message_id: int | None = None,
    last_message_id: int | None = None,
    *,
    pressed_photo: bool = False,
) -> int:
    """Show one reply in `chat_id`: an edit where one is asked for and possible, else a new message.

    `last_message_id` is the bot's last message in the chat, which a reply with `edit_last` replaces (a
    question asked again with what was wrong, instead of two more messages). `pressed_photo`: the pressed
    message is a photo, whose text Telegram refuses to edit (no call made)."""
    markup = reply_markup(reply)
    text, caption = fit(reply.text), fit(reply.text, CAPTION_LIMIT)  # Telegram refuses longer ones
    target = reply.edit_message_id or (pressed_message_id if reply.edit and not pressed_photo else None)
    if target is None and reply.edit_last:
        target = last_message_id
    if reply.invoice is not None:  # an invoice carries no text of its own: what to do comes just before it
        if reply.text.strip():
            await out.send_text(chat_id, text, None)
        return await out.send_invoice(chat_id, reply.invoice)
    if reply.document is not None:
        return await out.send_document(chat_id, reply.document)
    if reply.photo_bytes is not None:
        return await out.send_photo(chat_id, reply.photo_bytes, caption, markup)
    if target is not None and not reply.photo and (markup is None or is_inline(markup)):
        refusal = await out.edit_text(chat_id, target, text, markup)
        if refusal is None or "message is not modified" in refusal.lower():
            return target
        log.info("edit_refused chat_id=%s reason=%s", chat_id, refusal)  # a fresh message instead
    if reply.photo:
        return await out.send_photo(chat_id, local_file(reply.photo) or reply.photo, caption, markup)
    return await out.send_text(chat_id, text, markup)


class _Turns:
    """One lock per user while that user has updates in flight."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def of(self, user_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users == 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)


class HandlingFailed(RuntimeError):
    """The handler raised for this update: nothing of it was kept, the inbox should try it again."""


class UpdateFlow:
    def __init__(self, handler: EventHandler) -> None:
        self._handler = handler
        self._turns = _Turns()
        self._in_flight: set[asyncio.Future[Any]] = set()
        self._last = _LastShown()
        self._failed: set[int] = set()  # update ids whose handler raised, until `check` is asked

    def check(self, update_id: int) -> None:
        """Raise `HandlingFailed` when handling `update_id` failed (a runtime's `feed` asks, after it)."""
        if update_id in self._failed:
            self._failed.discard(update_id)
            raise HandlingFailed(f"update {update_id} was not handled")

    async def __call__(self, update: Any, out: BotOutput) -> None:
        event = read_update(update)
        if event is None:
            return
        done = asyncio.get_running_loop().create_future()
        self._in_flight.add(done)
        try:
            await self._handle(update, event, out)
        finally:
            self._in_flight.discard(done)
            done.set_result(None)

    async def drain(self) -> None:
        """Wait for the updates in hand to be answered (graceful stop)."""
        await asyncio.gather(*self._in_flight)

    async def _handle(self, update: Any, event: Incoming, out: BotOutput) -> None:
        async with self._turns.of(event.user_id):
            try:
                outcome = await self._handler(event)
            except Exception:
                log.exception("handler_failed update_id=%s kind=%s", event.update_id, event.kind)
                if event.update_id is not None and event.kind is not Kind.PRECHECKOUT:
                    self._failed.add(event.update_id)  # a pre-checkout query cannot wait: refused now
                outcome = Outcome(precheckout_ok=False, precheckout_error=PAYMENT_CHECK_FAILED)
            await _show(out, update, event, outcome, self._last)


class _LastShown:
    """The bot's last message per chat, as this process showed it (a bounded memory: a chat it forgot,
    or a restart, gets a new message instead of an edit)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: dict[int, int] = {}

    def get(self, chat_id: int) -> int | None:
        return self._ids.get(chat_id)

    def note(self, chat_id: int, message_id: object) -> None:
        if isinstance(message_id, int):
            self._ids.pop(chat_id, None)
            self._ids[chat_id] = message_id
            if len(self._ids) > self.LIMIT:
                self._ids.pop(next(iter(self._ids)))


async def _show(out: BotOutput, update: Any, event: Incoming, outcome: Outcome, last: _LastShown) -> None:
    """Each call on its own: an expired query or one unreachable chat must not drop the rest."""
    if event.kind is Kind.BUTTON:  # answer first: it stops the button's spinner
        await _attempt(event, out.answer_button(update.callback_query.id, outcome.answer, outcome.alert))
    if event.kind is Kind.PRECHECKOUT and event.payment is not None:
        ok = bool(outcome.precheckout_ok)
        error = None if ok else outcome.precheckout_error or PAYMENT_CHECK_FAILED
        await _attempt(event, out.answer_precheckout(event.payment.query_id, ok, error))
    for reply in outcome.replies:
        chat_id = reply.chat_id if reply.chat_id is not None else event.chat_id
        pressed = event.message_id if event.kind is Kind.BUTTON and chat_id == event.chat_id else None
        photo = pressed is not None and event.pressed_photo
        call = send_reply(out, reply, chat_id, pressed, last.get(chat_id), pressed_photo=photo)
        shown = await _attempt(event, call)
        last.note(chat_id, shown)


async def _attempt(event: Incoming, call: Awaitable[object]) -> object:
    try:
        return await call
    except Exception:
        log.exception("telegram_call_failed update_id=%s kind=%s", event.update_id, event.kind)
        return None
