"""Wiring of the merchant side from settings: the desk `ShopApp(merchant=...)` routes staff events to,
and the relay hook that remembers which Telegram message is each order's card.

    desk = build_merchant_desk(settings, tracking=tracking_client_or_None, gateway=payments.gateway)
    app = ShopApp(uow_factory, clock, config, payments=..., payment_events=..., merchant=desk)
    payments = build_payments(
        settings, uow_factory, clock, order_card=desk.order_card, refresh_cards=desk.refresh_cards
    )
    OutboxRelay(..., on_sent=remember_sent_with(uow_factory))   # bot.wiring.sent: cards, questions, relays
"""

from __future__ import annotations

import logging

from bot.background.outbox_relay import OnSent
from bot.settings import Settings
from domain.outbox import OutboxMessage
from domain.ports import CarrierTracking, PaymentGateway, UnitOfWorkFactory
from handlers.contact.relay import relayed_message_id
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.notices import card_order_number

__all__ = ["build_merchant_desk", "remember_cards_with"]

log = logging.getLogger("shopbot.merchant")


def build_merchant_desk(
    settings: Settings, *, tracking: CarrierTracking | None, gateway: PaymentGateway | None
) -> MerchantDesk:
    """`tracking` None (no SHOPBOT_TRACKING_API_KEY): the card offers manual delivery-state buttons."""
    if not settings.merchant_user_ids:
        log.warning("merchant_staff_not_configured setting=SHOPBOT_MERCHANT_USER_IDS")
    return MerchantDesk(
        frozenset(settings.merchant_user_ids), settings.merchant_chat_id, tracking=tracking, gateway=gateway
    )


def remember_cards_with(uow_factory: UnitOfWorkFactory) -> OnSent:
    """`on_sent` relay hook: a sent new-order card's message id becomes `Order.merchant_message_id`, so
    later changes edit that card in place (best effort: a press on the card records it too); a relayed
    customer message's id is kept so a staff reply to it is an answer."""

    async def remember(message: OutboxMessage, message_id: int | None) -> None:
        relayed = relayed_message_id(message.dedupe_key)
        if relayed is not None and message_id is not None:
            await _remember_relay(uow_factory, relayed, message_id)
            return
        number = card_order_number(message)
        if number is None or message_id is None:
            return
        try:
            async with uow_factory() as uow:
                order = await uow.orders.get_for_update(number)
                if order is not None and order.merchant_message_id is None:
                    order.merchant_message_id = message_id
                    await uow.orders.save(order)
                    await uow.commit()
        except Exception:  # noqa: BLE001 - never stop the relay; the first press records the id
            log.warning("merchant_card_not_recorded order=%s", number, exc_info=True)

    return remember


async def _remember_relay(uow_factory: UnitOfWorkFactory, relayed: int, message_id: int) -> None:
    """A customer's message relayed to the merchant chat: staff answer it by replying to `message_id`."""
    try:
        async with uow_factory() as uow:
            await uow.shop_messages.remember_relay(relayed, message_id)
            await uow.commit()
    except Exception:  # noqa: BLE001 - never stop the relay; the Reply button still works
        log.warning("contact_relay_not_recorded message=%s", relayed, exc_info=True)
