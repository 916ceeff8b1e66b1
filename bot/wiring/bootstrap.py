"""Composition root: builds the shop's parts from Settings at start-up and closes them at stop.

    async with assemble(settings) as shop:
        shop.handler        # the EventHandler a Telegram runtime calls: customers, staff, payments
        shop.payments       # the Stripe webhook for the HTTP server (bot.processes.web serves it)
        shop.uow_factory    # for jobs and the outbox relay
        shop.tracking       # the carrier-tracking client (None: merchants set delivery states by hand);
                            # the merchant desk registers numbers with it, the jobs poll it

`build_shop_handler` is the one recipe of the entry point; the terminal demo uses it with its sandbox
gateway and simulated carrier.

Nothing is built at import time: the engine is created here and disposed when the block ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import shop_clock
from bot.observability.metrics import Metrics
from bot.settings import Settings
from bot.wiring.merchant import build_merchant_desk
from bot.wiring.payments import PaymentServices, build_payments
from bot.wiring.stats import build_merchant_stats
from domain.clock import Clock
from domain.money import Money
from domain.ports import CarrierTracking, PaymentGateway, UnitOfWorkFactory
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.kernel.incoming import EventHandler
from storage.database.engine import count_statements, create_engine, dispose, reports_engine
from storage.database.schema_status import migration_heads, schema_status
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

if TYPE_CHECKING:
    from bot.providers.seventeen_track import SeventeenTrackClient

__all__ = ["Shop", "assemble", "build_shop_handler", "shop_config", "tracking_client"]


def shop_config(settings: Settings, payments: PaymentServices) -> ShopConfig:
    return ShopConfig(
        shop_name=settings.shop_name,
        currency=settings.currency,
        reservation_minutes=settings.reservation_minutes,
        delivery_options=tuple(
            DeliveryOption(
                o.code, o.label, Money.parse(o.price, settings.currency), o.needs_address, o.label_zh
            )
            for o in settings.delivery_options
        ),
        payment_methods=payments.methods,
        merchant_chat_id=settings.merchant_chat_id,
        timezone=settings.timezone,
        webapp_url=settings.webapp_url,
    )


def tracking_client(settings: Settings) -> SeventeenTrackClient | None:
    """17TRACK when SHOPBOT_TRACKING_API_KEY is set; None means merchants set delivery states by hand."""
    if settings.tracking_api_key is None:
        return None
    from bot.providers.seventeen_track import SeventeenTrackClient  # httpx: only when 17TRACK is used

    return SeventeenTrackClient(
        settings.tracking_api_key.get_secret_value(),
        settings.tracking_api_url,
        requests_per_second=settings.tracking_requests_per_second,
    )


def build_shop_handler(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    tracking: CarrierTracking | None,
    engine: AsyncEngine,
    gateway: PaymentGateway | None = None,
    metrics: Metrics | None = None,
) -> tuple[ShopApp, PaymentServices]:
    """The entry point for every event: the customer conversation, the merchant desk and payments.
    `gateway` replaces the Stripe gateway (the demo's sandbox); `metrics` counts card payments."""
    desk = build_merchant_desk(settings, tracking=tracking, gateway=gateway)
    payments = build_payments(
        settings,
        uow_factory,
        clock,
        order_card=desk.order_card,
        refresh_cards=desk.refresh_cards,
        gateway=gateway,
        metrics=metrics,
    )
    desk = replace(desk, gateway=payments.gateway)  # refunds go where the payments went
    app = ShopApp(
        uow_factory,
        clock,
        shop_config(settings, payments),
        payments=payments.starters(),
        payment_events=payments.telegram,
        merchant=desk,
        stats=build_merchant_stats(settings, engine, clock),
        gateway=payments.gateway,  # customers cancelling a paid order get their money back the same way
    )
    return app, payments


@dataclass(frozen=True, slots=True)
class Shop:
    settings: Settings
    engine: AsyncEngine
    uow_factory: SqlAlchemyUnitOfWorkFactory
    clock: Clock
    payments: PaymentServices
    handler: EventHandler
    tracking: CarrierTracking | None


async def _migrate(engine: AsyncEngine) -> None:
    """Bring the schema to head; Alembic is imported only when there is something to do (a bot whose
    database is already at head keeps its ~7 MiB of modules out of memory)."""
    if (await schema_status(engine, migration_heads())).ready:
        return
    from storage.database.migrate import upgrade_with

    await upgrade_with(engine)


@asynccontextmanager
async def assemble(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True, metrics: Metrics | None = None
) -> AsyncIterator[Shop]:
    """The shop's parts over `settings.database_url`; `migrate` brings the schema to head first."""
    clock = clock or shop_clock(settings.clock_offset)
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    reports = reports_engine(engine)  # long reads off the event loop's thread (SQLite)
    if settings.count_sql_statements and metrics is not None:
        count_statements(engine, metrics.sql_statements.inc)
    try:
        if migrate:
            await _migrate(engine)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine, reports=reports)
        tracking = tracking_client(settings)
        handler, payments = build_shop_handler(
            settings, uow_factory, clock, tracking=tracking, engine=reports, metrics=metrics
        )
        try:
            yield Shop(settings, engine, uow_factory, clock, payments, handler, tracking)
        finally:
            await payments.aclose()
            if tracking is not None:
                await tracking.aclose()
    finally:
        if reports is not engine:
            await dispose(reports)
        await dispose(engine)
