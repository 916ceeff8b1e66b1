"""Composition root: builds the shop's parts from Settings at start-up and closes them at stop.

    async with assemble(settings) as shop:
        shop.handler        # the EventHandler a Telegram runtime calls
        shop.http_app()     # Stripe webhook, health check, payment return pages
        shop.uow_factory    # for jobs and the outbox relay

Nothing is built at import time: the engine is created here and disposed when the block ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import UtcClock
from bot.http_server import http_app
from bot.payments_setup import PaymentServices, build_payments
from bot.settings import Settings
from domain.clock import Clock
from domain.money import Money
from handlers.app import ShopApp
from handlers.config import DeliveryOption, ShopConfig
from handlers.incoming import EventHandler
from storage.engine import create_engine, dispose
from storage.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["Shop", "assemble", "shop_config"]


def shop_config(settings: Settings, payments: PaymentServices) -> ShopConfig:
    return ShopConfig(
        shop_name=settings.shop_name,
        currency=settings.currency,
        reservation_minutes=settings.reservation_minutes,
        delivery_options=tuple(
            DeliveryOption(o.code, o.label, Money.parse(o.price, settings.currency), o.needs_address)
            for o in settings.delivery_options
        ),
        payment_methods=payments.methods,
        merchant_chat_id=settings.merchant_chat_id,
        timezone=settings.timezone,
    )


@dataclass(frozen=True, slots=True)
class Shop:
    settings: Settings
    engine: AsyncEngine
    uow_factory: SqlAlchemyUnitOfWorkFactory
    clock: Clock
    payments: PaymentServices
    handler: EventHandler

    async def database_ok(self) -> bool:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    def http_app(self) -> web.Application:
        return http_app(health=self.database_ok, stripe_webhook=self.payments.stripe_webhook)


@asynccontextmanager
async def assemble(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> AsyncIterator[Shop]:
    """The shop's parts over `settings.database_url`; `migrate` brings the schema to head first."""
    clock = clock or UtcClock()
    engine = create_engine(settings.database_url)
    try:
        if migrate:
            await upgrade_with(engine)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
        payments = build_payments(settings, uow_factory, clock)
        try:
            handler = ShopApp(
                uow_factory,
                clock,
                shop_config(settings, payments),
                payments=payments.starters(),
                payment_events=payments.telegram,
            )
            yield Shop(settings, engine, uow_factory, clock, payments, handler)
        finally:
            await payments.aclose()
    finally:
        await dispose(engine)
