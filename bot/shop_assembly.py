"""The shop a bot process runs, assembled from settings: the conversation (`ShopApp`), the merchant desk
and the payment pieces over one unit-of-work factory. `close()` releases what it opened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.metered import MeteredGateway
from bot.metrics import Metrics
from bot.payments_setup import PaymentServices, build_payments
from bot.settings import Settings
from domain.clock import Clock
from domain.money import Money
from domain.order import Order
from domain.order_status import PaymentMethod
from domain.ports import UnitOfWork, UnitOfWorkFactory
from handlers.app import ShopApp
from handlers.checkout_review import PaymentStarter
from handlers.config import DeliveryOption, ShopConfig
from handlers.merchant_desk import MerchantDesk
from handlers.payments import card_checkout_reply, telegram_invoice_reply
from handlers.reply import Reply

__all__ = ["Shop", "assemble_shop"]


@dataclass(frozen=True, slots=True)
class Shop:
    handler: ShopApp
    payments: PaymentServices

    async def close(self) -> None:
        await self.payments.aclose()


def assemble_shop(
    settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock, metrics: Metrics | None = None
) -> Shop:
    desk = MerchantDesk(frozenset(settings.merchant_user_ids), settings.merchant_chat_id)
    payments = build_payments(settings, uow_factory, clock, order_card=desk.order_card)
    desk = replace(desk, gateway=payments.gateway)  # refunds when the shop rejects a paid order
    methods = payments.setup.methods()
    config = ShopConfig(
        shop_name=settings.shop_name,
        currency=settings.currency,
        reservation_minutes=settings.reservation_minutes,
        delivery_options=tuple(
            DeliveryOption(o.code, o.label, Money.parse(o.price, settings.currency), o.needs_address)
            for o in settings.delivery_options
        ),
        payment_methods=tuple(methods),
        merchant_chat_id=settings.merchant_chat_id,
        timezone=settings.timezone,
    )
    handler = ShopApp(
        uow_factory,
        clock,
        config,
        payments=_starters(payments, methods, metrics),
        payment_events=payments.telegram,
        merchant=desk,
    )
    return Shop(handler, payments)


def _starters(
    payments: PaymentServices, methods: list[PaymentMethod], metrics: Metrics | None
) -> dict[PaymentMethod, PaymentStarter]:
    gateway = payments.gateway if metrics is None else MeteredGateway(payments.gateway, metrics)

    async def card(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> list[Reply]:
        return [await card_checkout_reply(uow, gateway, order, now)]

    async def invoice(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> list[Reply]:
        return [await telegram_invoice_reply(uow, order, now)]

    offered = {PaymentMethod.STRIPE: card, PaymentMethod.TELEGRAM: invoice}
    return {method: offered[method] for method in methods if method in offered}
