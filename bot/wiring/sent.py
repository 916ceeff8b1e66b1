"""What the outbox relay remembers of a message once Telegram took it (its `on_sent` hook): the message
showing a customer's open question (a wrong answer then edits it in place, after a restart too), an order's
card in the merchant chat, a customer's message relayed to staff.

    OutboxRelay(..., on_sent=remember_sent_with(uow_factory))
"""

from __future__ import annotations

import logging

from bot.background.outbox_relay import OnSent
from bot.wiring.merchant import remember_cards_with
from domain.outbox import OutboxMessage
from domain.ports import UnitOfWorkFactory

__all__ = ["remember_sent_with"]

log = logging.getLogger("shopbot.outbox")


def remember_sent_with(uow_factory: UnitOfWorkFactory) -> OnSent:
    cards = remember_cards_with(uow_factory)

    async def remember(message: OutboxMessage, message_id: int | None) -> None:
        if message.payload.get("dialog"):  # a question's message: remembered with the sent mark
            return
        await cards(message, message_id)

    return remember
