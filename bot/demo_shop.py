"""The demo's composition: the shop `shopbot run` runs, on a throwaway SQLite file, with the terminal as its
transport, the sandbox as its payment provider and a simulated carrier as its tracking provider.

Handlers, domain, storage (Alembic-migrated), outbox relay and jobs are the real ones; the demo only
decides *when* things run: the relay drains after every input (`settle`), and `/tick` moves the fast clock
one step and runs the scheduled jobs once, as the scheduler would when their time comes.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo_personas import MERCHANT
from bot.flood_control import FloodControl
from bot.outbox_relay import OutboxRelay, worker_name
from bot.sandbox_payments import SandboxGateway
from bot.settings import Settings
from bot.simulated_carrier import SimulatedCarrier
from bot.terminal_render import Page
from domain.actor import Actor
from domain.clock import Clock
from domain.money import Money
from domain.order import Order
from domain.order_status import PaymentMethod
from domain.ports import Notifier, UnitOfWork
from handlers.app import ShopApp
from handlers.config import DeliveryOption, ShopConfig
from handlers.incoming import EventHandler
from handlers.merchant_desk import MerchantDesk
from handlers.payment_notices import PaymentNotices
from handlers.payments import TelegramPayments, card_checkout_reply
from handlers.reply import Reply
from handlers.stripe_events import StripeEvents
from jobs.expire_reservations import expire_reservations
from jobs.poll_tracking import PollTracking
from storage.catalog_csv import parse_catalog
from storage.catalog_transfer import import_catalog
from storage.engine import create_engine, dispose, session_factory
from storage.migrate import upgrade_with
from storage.outbox_queue import SqlAlchemyOutboxQueue
from storage.shipments import SqlAlchemyShipments
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["DemoShop", "STEP", "BUNDLED_CATALOG", "demo_settings"]

log = logging.getLogger("shopbot.demo")

STEP = timedelta(seconds=10)  # one `/tick`: one step of a parcel's journey
BUNDLED_CATALOG = Path(__file__).resolve().parent.parent / "examples" / "catalog.csv"
_MAX_RELAY_ROUNDS = 20


def demo_settings(database_url: str) -> Settings:
    """The demo's own settings: never a real token, key or database, whatever the environment says."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        shop_name="shopbot demo",
        currency="USD",
        merchant_chat_id=MERCHANT.chat_id,
        merchant_user_ids=[MERCHANT.user_id],
        telegram_token=None,
        telegram_payment_provider_token=None,
        stripe_secret_key=None,
        tracking_api_key=None,
        tracking_poll_seconds=int(STEP.total_seconds() // 2),
        flood_private_per_second=1000.0,
        flood_group_per_minute=60_000.0,
        flood_global_per_second=1000.0,
    )


def shop_config(settings: Settings) -> ShopConfig:
    options = tuple(
        DeliveryOption(o.code, o.label, Money.parse(o.price, settings.currency), o.needs_address)
        for o in settings.delivery_options
    )
    return ShopConfig(
        shop_name=settings.shop_name,
        currency=settings.currency,
        reservation_minutes=settings.reservation_minutes,
        delivery_options=options,
        payment_methods=(PaymentMethod.STRIPE, PaymentMethod.CASH),
        merchant_chat_id=settings.merchant_chat_id,
    )


@dataclass
class DemoShop:
    """Implements `bot.terminal_runtime.DemoControls`; `handler` is the shop's entry point."""

    handler: EventHandler
    clock: Clock
    engine: AsyncEngine
    relay: OutboxRelay
    poll: PollTracking
    uow_factory: SqlAlchemyUnitOfWorkFactory
    notices: PaymentNotices
    gateway: SandboxGateway
    workdir: Path | None = None  # the temporary directory to remove at close

    @classmethod
    async def open(cls, notifier: Notifier, clock: Clock, *, db: Path | None, catalog: Path) -> DemoShop:
        workdir = None if db else Path(tempfile.mkdtemp(prefix="shopbot-demo-"))
        path = db or (workdir / "demo.db")  # type: ignore[operator]
        settings = demo_settings(f"sqlite+aiosqlite:///{path}")
        engine = create_engine(settings.database_url)
        try:
            await upgrade_with(engine)
            uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
            csv_text = await asyncio.to_thread(catalog.read_text, encoding="utf-8")
            await _load_catalog(uow_factory, csv_text, settings.currency, clock.now())
        except BaseException:
            await dispose(engine)
            if workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
        sessions = session_factory(engine)
        carrier = SimulatedCarrier(clock, step=STEP)
        gateway = SandboxGateway(clock)
        desk = MerchantDesk(
            frozenset(settings.merchant_user_ids),
            settings.merchant_chat_id,
            tracking=carrier,
            gateway=gateway,
        )
        notices = PaymentNotices(settings.merchant_chat_id, order_card=desk.order_card)
        webhook = StripeEvents(uow_factory, gateway, notices, clock)

        async def complete(event: dict[str, Any]) -> str:  # the webhook's path after its signature check
            return (await webhook.handle(event)).text

        gateway.connect(complete)

        async def card(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> list[Reply]:
            return [await card_checkout_reply(uow, gateway, order, now)]

        handler = ShopApp(
            uow_factory,
            clock,
            shop_config(settings),
            payments={PaymentMethod.STRIPE: card},
            payment_events=TelegramPayments(uow_factory, gateway, notices, clock),
            merchant=desk,
        )
        flood = FloodControl(
            per_second=settings.flood_global_per_second,
            private_per_second=settings.flood_private_per_second,
            group_per_minute=settings.flood_group_per_minute,
        )
        worker = worker_name()
        relay = OutboxRelay(SqlAlchemyOutboxQueue(sessions), notifier, flood, clock, worker=worker)
        poll = PollTracking(
            uow_factory,
            SqlAlchemyShipments(sessions),
            carrier,
            clock,
            worker,
            poll_every=timedelta(seconds=settings.tracking_poll_seconds),
            merchant_chat_id=settings.merchant_chat_id,
        )
        return cls(handler, clock, engine, relay, poll, uow_factory, notices, gateway, workdir)

    # -- DemoControls ----------------------------------------------------------------------------
    async def settle(self) -> None:
        for _ in range(_MAX_RELAY_ROUNDS):
            if not await self.relay.run_once():
                return

    async def tick(self) -> list[str]:
        advance = getattr(self.clock, "advance", None)
        if advance is not None:
            advance(seconds=STEP.total_seconds())
        lines = [f"⏱  the clock moves on {int(STEP.total_seconds())} s"]
        return lines + await self.run_jobs()

    async def open_link(self, url: str) -> Page | None:
        return await self.gateway.open_link(url)

    # -- jobs --------------------------------------------------------------------------------------
    async def run_jobs(self) -> list[str]:
        """Every scheduled job once, as if its time had come; returns what they changed."""
        lines: list[str] = []
        report = await self.poll.run()
        if report.changed:
            lines.append(f"🚚 carrier tracking polled: {report.changed} parcel(s) moved")
        expired = await expire_reservations(self.uow_factory, self.notices, self.clock)
        if expired:
            lines.append(f"⌛ {expired} unpaid order(s) released their stock")
        return lines

    async def close(self) -> None:
        await dispose(self.engine)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


async def _load_catalog(
    uow_factory: SqlAlchemyUnitOfWorkFactory, csv_text: str, currency: str, now: datetime
) -> None:
    """Import the catalog into an empty shop; a kept database (`--db`) keeps its own."""
    async with uow_factory() as uow:
        if await uow.products.list_all():
            return
        await import_catalog(uow, parse_catalog(csv_text, currency), actor=Actor.system("demo"), now=now)
        await uow.commit()
