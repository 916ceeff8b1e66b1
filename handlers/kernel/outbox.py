"""The one writer of the outbox: every message to a user or the merchant chat is queued here.

Callers pass the unit of work that decided the message, so it is stored in the same transaction as the
change it follows; bot/background's relay sends it after commit. A `dedupe_key` makes a second write of
the same notice a no-op (e.g. "order:K7M-2QXD:shipped").
"""

from __future__ import annotations

from datetime import datetime

from domain.outbox import OutboxMessage
from domain.ports import UnitOfWork
from handlers.kernel.reply import Reply

__all__ = ["message", "write", "write_reply"]


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
