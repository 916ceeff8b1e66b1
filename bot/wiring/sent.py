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
        state = message.payload.get("dialog")
        if state and message_id is not None:
            await _question_shown(uow_factory, message.chat_id, str(state), message_id)
            return
        await cards(message, message_id)

    return remember


async def _question_shown(uow_factory: UnitOfWorkFactory, user_id: int, state: str, message_id: int) -> None:
    try:
        async with uow_factory() as uow:
            await uow.dialogs.shown_in(user_id, state, message_id)
            await uow.commit()
    except Exception:  # noqa: BLE001 - never stop the relay; a wrong answer then gets a new message
        log.warning("question_message_not_recorded state=%s", state, exc_info=True)
