"""Composition of the scheduled half: the job scheduler and the outbox relay, started and stopped
together. `shopbot worker` runs this alone; `shopbot run` calls `start_background` next to the bot
(not at all with `--no-jobs`, when a separate worker does both). The demo builds its relay with
`build_relay`, so every process relays the same way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background.job_runs import JobRuns
from bot.background.outbox_relay import OutboxRelay, RelayPolicy, mark_unreachable_with
from bot.flood_control import FloodControl
from bot.observability.metered import MeteredNotifier, MeteredTracking
from bot.observability.metrics import Metrics
from bot.settings import Settings
from bot.wiring.sent import remember_sent_with
from domain.clock import Clock
from domain.ports import CarrierTracking, Notifier, PaymentGateway, StaleCarts, UnitOfWorkFactory
from storage.analytics.figures import SqlAlchemyShopFigures
from storage.database.engine import session_factory
from storage.housekeeping import SqlAlchemyHousekeeping
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue
from storage.shipments import SqlAlchemyShipments
from storage.stale_carts import SqlAlchemyStaleCarts
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = ["Background", "start_background", "build_relay"]

log = logging.getLogger("shopbot.background")


@dataclass
class Background:
    relay: OutboxRelay | None
    scheduler: AsyncIOScheduler | None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    runs: JobRuns = field(default_factory=JobRuns)

    async def stop(self) -> None:
        self.stop_event.set()
        if self.scheduler is not None:
            self.scheduler.pause()  # no new runs; those in progress finish (or are cut off after 30 s)
            await self.runs.finish(timeout=30)
            self.scheduler.shutdown(wait=False)
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, timeout=30)


def build_relay(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    clock: Clock,
    uow_factory: UnitOfWorkFactory,
    *,
    worker: str,
) -> OutboxRelay:
    """The outbox relay, paced by the settings' flood limits; a blocked customer is marked unreachable
    and what a delivered message is remembered for (`bot.wiring.sent`: an order card, a question)."""
    flood = FloodControl(
        per_second=settings.flood_global_per_second,
        private_per_second=settings.flood_private_per_second,
        group_per_minute=settings.flood_group_per_minute,
    )
    return OutboxRelay(
        SqlAlchemyOutboxQueue(sessions),
        notifier,
        flood,
        clock,
        policy=RelayPolicy(
            max_attempts=settings.outbox_max_attempts,
            lease_seconds=settings.outbox_lease_seconds,
            backoff_base_seconds=settings.outbox_retry_seconds,
        ),
        on_blocked=mark_unreachable_with(uow_factory),
        on_sent=remember_sent_with(uow_factory),
        worker=worker,
    )


async def start_background(
    settings: Settings,
    *,
    uow_factory: SqlAlchemyUnitOfWorkFactory,
    notifier: Notifier,
    tracking: CarrierTracking | None,
    clock: Clock,
    stale_carts: StaleCarts | None = None,
    jobs: bool = True,
    relay: bool = True,
    metrics: Metrics | None = None,
    outbox_relay: OutboxRelay | None = None,
    gateway: PaymentGateway | None = None,
) -> Background:
    """Start the relay and/or the scheduler on the running loop. `tracking` is the caller's carrier client
    (None: merchants set delivery states by hand, nothing is polled); the caller closes it.
    `outbox_relay`: the relay to run (`shopbot run` shares it with the replies it sends at once)."""
    sessions = session_factory(uow_factory.engine)
    worker = uow_factory.worker  # the relay also settles the replies this process sends at once
    if metrics is not None:  # count deliveries and failures, and tracking requests
        notifier = MeteredNotifier(notifier, metrics)
        tracking = MeteredTracking(tracking, metrics) if tracking is not None else None
    background = Background(relay=None, scheduler=None)
    if relay:
        background.relay = outbox_relay or build_relay(
            settings, sessions, notifier, clock, uow_factory, worker=worker
        )
        background.task = asyncio.create_task(
            background.relay.run_forever(background.stop_event, idle_seconds=settings.outbox_poll_seconds)
        )
    if jobs:
        from bot.background.scheduler import JobContext, build_scheduler  # APScheduler: only with jobs

        context = JobContext(
            settings,
            uow_factory,
            clock,
            worker,
            shipments=SqlAlchemyShipments(sessions),
            tracking=tracking,
            figures=SqlAlchemyShopFigures(uow_factory.reports, settings.currency),  # the daily report
            stale_carts=stale_carts or SqlAlchemyStaleCarts(sessions),  # abandoned-cart reminders
            metrics=metrics,
            gateway=gateway,  # refunds owed, retried until the provider answers
            housekeeping=SqlAlchemyHousekeeping(sessions),  # settled work rows pruned (jobs/prune.py)
        )
        background.scheduler = build_scheduler(context, runs=background.runs)
        background.scheduler.start()
    log.info("background_started worker=%s relay=%s jobs=%s", worker, relay, jobs)
    return background
