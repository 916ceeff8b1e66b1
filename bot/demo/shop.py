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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.background.outbox_relay import OutboxRelay, worker_name
from bot.background.scheduler import JobContext, build_scheduler
from bot.demo.clock import SteppingClock
from bot.demo.personas import MERCHANT
from bot.demo.sandbox_payments import SandboxGateway
from bot.demo.simulated_carrier import SimulatedCarrier
from bot.demo.terminal.render import Page
from bot.settings import Settings
from bot.wiring.background import build_relay
from bot.wiring.bootstrap import build_shop_handler
from domain.actor import Actor
from domain.clock import Clock
from domain.ports import CarrierTracking, Notifier, UnitOfWorkFactory
from handlers.kernel.incoming import EventHandler
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose, session_factory
from storage.database.migrate import upgrade_with
from storage.housekeeping import SqlAlchemyHousekeeping
from storage.shipments import SqlAlchemyShipments
from storage.stale_carts import SqlAlchemyStaleCarts
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["DemoShop", "STEP", "demo_settings", "shop_handler"]

log = logging.getLogger("shopbot.demo")

STEP = timedelta(seconds=10)  # one `/tick`: one step of a parcel's journey
_MAX_RELAY_ROUNDS = 20


def demo_settings(database_url: str) -> Settings:
    """The demo's own settings: never a real token, key or database, whatever the environment says."""
    return Settings(
        _env_file=None,
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


def shop_handler(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    gateway: SandboxGateway,
    tracking: CarrierTracking,
    engine: AsyncEngine,
) -> EventHandler:
    """The shop's entry point — customer conversation, merchant desk, payments — built from the same
    parts as `bot.wiring.bootstrap.assemble`, over the demo's outside services. Paid sandbox checkouts go
    through the Stripe webhook's event handling."""
    handler, payments = build_shop_handler(
        settings, uow_factory, clock, tracking=tracking, engine=engine, gateway=gateway
    )
    events = payments.stripe_events
    if events is None:  # pragma: no cover - build_payments makes them whenever it is given a gateway
        raise RuntimeError("no Stripe event handling to complete sandbox checkouts with")

    async def complete(event: dict[str, Any]) -> str:  # what the webhook does after its signature check
        return (await events.handle(event)).text

    gateway.connect(complete)
    return handler


@dataclass
class DemoShop:
    """Implements `bot.demo.controls.DemoControls`; `handler` is the shop's entry point."""

    handler: EventHandler
    clock: SteppingClock
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    settings: Settings
    relay: OutboxRelay
    scheduler: AsyncIOScheduler  # the jobs of `shopbot run`, planned from the demo's settings
    gateway: SandboxGateway
    relay_idle_seconds: float
    workdir: Path | None = None  # the temporary directory to remove at close
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _relay_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, notifier: Notifier, clock: SteppingClock, *, db: Path | None, catalog: Path
    ) -> DemoShop:
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
        handler = shop_handler(settings, uow_factory, clock, gateway=gateway, tracking=carrier, engine=engine)
        worker = worker_name()
        relay = build_relay(settings, sessions, notifier, clock, uow_factory, worker=worker)
        jobs = JobContext(
            settings,
            uow_factory,
            clock,
            worker,
            shipments=SqlAlchemyShipments(sessions),
            tracking=carrier,
            figures=SqlAlchemyShopFigures(engine, settings.currency),
            stale_carts=SqlAlchemyStaleCarts(sessions),
            gateway=gateway,  # refunds owed retried, as `shopbot run` retries them
            housekeeping=SqlAlchemyHousekeeping(sessions),  # and settled work rows pruned
        )
        scheduler = build_scheduler(jobs)
        return cls(
            handler,
            clock,
            engine,
            uow_factory,
            settings,
            relay,
            scheduler,
            gateway,
            settings.outbox_poll_seconds,
            workdir,
        )

    # -- DemoControls ----------------------------------------------------------------------------
    async def settle(self) -> None:
        for _ in range(_MAX_RELAY_ROUNDS):
            if not await self.relay.run_once():
                return

    async def tick(self) -> list[str]:
        self.clock.advance(seconds=STEP.total_seconds())
        lines = [f"⏱  the clock moves on {int(STEP.total_seconds())} s"]
        return lines + await self.run_jobs()

    async def open_link(self, url: str) -> Page | None:
        return await self.gateway.open_link(url)

    # -- jobs --------------------------------------------------------------------------------------
    async def run_jobs(self) -> list[str]:
        """Every scheduled job once, as if its time had come (each is safe to run at any time)."""
        names = []
        for job in self.scheduler.get_jobs():
            await job.func()
            names.append(job.name)
        return [f"scheduled jobs ran: {', '.join(sorted(names))}"] if names else []

    def start_background(self) -> None:
        """Interactive mode: the scheduler and the relay run on their own, as in `shopbot run`."""
        self.scheduler.start()
        self._relay_task = asyncio.create_task(
            self.relay.run_forever(self._stop, idle_seconds=self.relay_idle_seconds)
        )

    async def close(self) -> None:
        self._stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._relay_task is not None:
            await asyncio.gather(self._relay_task, return_exceptions=True)
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
