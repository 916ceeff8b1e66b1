"""The one writer of the outbox: every message to a user or the merchant chat is queued here.

Callers pass the unit of work that decided the message, so it is stored in the same transaction as the
change it follows; bot/background's relay sends it after commit. A `dedupe_key` makes a second write of
the same notice a no-op (e.g. "order:K7M-2QXD:shipped").

A turn's own replies are written here too (`queue_replies`), held for the process that handled the turn:
it sends them right after commit; if it dies first, the relay does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from domain.outbox import OutboxMessage
from domain.ports import UnitOfWork
from handlers.kernel.incoming import AppOrigin, Incoming, Kind
from handlers.kernel.reply import Outcome, Reply

__all__ = ["message", "write", "write_reply", "queue_replies", "REPLY_HOLD"]

REPLY_HOLD = timedelta(seconds=30)  # the relay leaves a turn's replies to the process that wrote them


def message(
    chat_id: int,
    reply: Reply,
    now: datetime,
    *,
    dedupe_key: str | None = None,
    edit_message_id: int | None = None,
) -> OutboxMessage:
    """The stored form of `reply` for `chat_id`; with `edit_message_id`, an in-place edit of that message."""
    payload = reply.to_payload()
    if edit_message_id is not None:
        payload = {**payload, "edit_message_id": edit_message_id}
    return OutboxMessage(chat_id, payload, now, dedupe_key=dedupe_key)


async def write(uow: UnitOfWork, outgoing: OutboxMessage) -> None:
    """Queue `outgoing` (built by `message`) in `uow`'s transaction."""
    await uow.outbox.add(outgoing)


async def write_reply(
    uow: UnitOfWork,
    chat_id: int,
    reply: Reply,
    now: datetime,
    *,
    dedupe_key: str | None = None,
    edit_message_id: int | None = None,
) -> None:
    """Queue `reply` for `chat_id` in `uow`'s transaction."""
    await write(uow, message(chat_id, reply, now, dedupe_key=dedupe_key, edit_message_id=edit_message_id))


async def queue_replies(uow: UnitOfWork, event: Incoming, outcome: Outcome, now: datetime) -> Outcome:
    """Write the turn's replies to the outbox in its transaction, as its last writes: the caller commits
    next. The process that handled the turn sends them right after commit (they carry their `outbox_id`);
    if it dies first, the relay does."""
    queued: list[tuple[Reply, OutboxMessage | None]] = []
    for reply in outcome.replies:
        if not reply.queueable or reply.outbox_id is not None:  # an upload too big for a row: sent directly
            queued.append((reply, None))
            continue
        chat_id = reply.chat_id if reply.chat_id is not None else event.chat_id
        if event.app is AppOrigin.QUIET and chat_id == event.chat_id:  # the Mini App shows it, not the chat
            queued.append((reply, None))
            continue
        pressed = event.message_id if event.kind is Kind.BUTTON and chat_id == event.chat_id else None
        # a text cannot replace a photo in place (Telegram refuses editMessageText there): send it anew
        editable = reply.edit and not (event.pressed_photo and not reply.photo)
        target = reply.edit_message_id or (pressed if editable else None)
        outgoing = replace(message(chat_id, reply, now, edit_message_id=target), held_until=now + REPLY_HOLD)
        queued.append((replace(reply, chat_id=chat_id, edit_message_id=target), outgoing))
    await uow.outbox.add_replies([outgoing for _, outgoing in queued if outgoing is not None])
    replies = [
        reply if outgoing is None else replace(reply, outbox_id=outgoing.id) for reply, outgoing in queued
    ]
    return replace(outcome, replies=replies)
