"""The merchant desk: a plain value saying who is staff, where the merchant chat is and which services
staff actions may call. Every merchant module takes it; `handlers.merchant.router` (which imports them all)
decides which of them answers an event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.events import DomainEvent
from domain.order import Order
from domain.ports import CarrierTracking, PaymentGateway, UnitOfWork
from domain.tracking.numbers import USUAL_CARRIERS
from handlers.kernel.reply import Reply
from handlers.merchant import notices

__all__ = ["MerchantDesk"]

log = logging.getLogger("shopbot.merchant")


@dataclass(frozen=True, slots=True)
class MerchantDesk:
    staff_ids: frozenset[int]
    chat_id: int | None = None  # the merchant chat: order cards and alerts
    tracking: CarrierTracking | None = None  # None: no tracking API key, staff set delivery states
    gateway: PaymentGateway | None = None  # refunds of paid orders the shop rejects or cancels
    page_size: int = 8
    carriers: tuple[str, ...] = USUAL_CARRIERS  # offered as buttons under the ship prompt

    @property
    def manual_delivery(self) -> bool:
        return self.tracking is None

    def order_card(self, order: Order) -> Reply:
        """The new-order card renderer for `PaymentNotices(order_card=desk.order_card)`."""
        return notices.new_order_card(order, manual_delivery=self.manual_delivery)

    def is_staff(self, user_id: int) -> bool:
        return user_id in self.staff_ids

    async def refresh_cards(self, uow: UnitOfWork, events: Iterable[DomainEvent], now: datetime) -> None:
        """Redraw the merchant-chat card of orders someone other than staff moved or refunded part of (the
        customer, a job, a carrier, the payment provider), whose conversation grew, or whose refund failed
        (`notices.refresh_cards`)."""
        await notices.refresh_cards(
            uow, events, now, chat_id=self.chat_id, manual_delivery=self.manual_delivery
        )

    async def register_tracking(self, order: Order) -> None:
        """Best effort: the tracking poll job registers numbers it has not seen, so a failure here waits."""
        if self.tracking is None or not order.tracking_number:
            return
        try:
            await self.tracking.register(order.tracking_number, order.carrier)
        except Exception:  # noqa: BLE001 - a provider outage must not undo the shipment
            log.warning("merchant_tracking_register_failed order=%s", order.number, exc_info=True)
