"""Composition of the scheduled half: the job scheduler and the outbox relay, started and stopped
together. `shopbot worker` runs this alone; `shopbot run` calls `start_background` next to the bot
(`jobs=False, relay=False` for `--no-jobs`, when a separate worker does both)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flood_control import FloodControl
from bot.merchant_setup import remember_cards_with
from bot.metered import MeteredNotifier, MeteredTracking
from bot.metrics import Metrics
from bot.outbox_relay import OutboxRelay, RelayPolicy, mark_unreachable_with, worker_name
from bot.scheduler import JobContext, build_scheduler
from bot.settings import Settings
from bot.tracking_17track import SeventeenTrackClient
from domain.clock import Clock
from domain.ports import Notifier, SalesStats, StaleCarts, UnitOfWorkFactory
from storage.outbox_queue import SqlAlchemyOutboxQueue
from storage.sales_stats import SqlAlchemySalesStats
from storage.shipments import SqlAlchemyShipments

__all__ = ["Background", "start_background", "UtcClock"]

log = logging.getLogger("shopbot.background")


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Background:
    relay: OutboxRelay | None
    scheduler: object | None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        self.stop_event.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)  # type: ignore[attr-defined]
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, timeout=30)


async def start_background(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    uow_factory: UnitOfWorkFactory | None,
    clock: Clock | None = None,
    stats: SalesStats | None = None,
    stale_carts: StaleCarts | None = None,
    jobs: bool = True,
    relay: bool = True,
    metrics: Metrics | None = None,
) -> Background:
    """Start the relay and/or the scheduler on the running loop. Without a unit-of-work factory only
    the relay runs (it needs nothing but the outbox table)."""
    stats = stats or SqlAlchemySalesStats(sessions)  # the daily report reads the orders table
    clock = clock or UtcClock()
    worker = worker_name()
    if metrics is not None:  # count deliveries and failures
        notifier = MeteredNotifier(notifier, metrics)
    background = Background(relay=None, scheduler=None)
    if relay:
        flood = FloodControl(
            per_second=settings.flood_global_per_second,
            private_per_second=settings.flood_private_per_second,
            group_per_minute=settings.flood_group_per_minute,
        )
        background.relay = OutboxRelay(
            SqlAlchemyOutboxQueue(sessions),
            notifier,
            flood,
            clock,
            policy=RelayPolicy(
                max_attempts=settings.outbox_max_attempts, lease_seconds=settings.outbox_lease_seconds
            ),
            on_blocked=mark_unreachable_with(uow_factory) if uow_factory else OutboxRelay.ignore_blocked,
            worker=worker,
            on_sent=remember_cards_with(uow_factory) if uow_factory else None,
        )
        background.task = asyncio.create_task(
            background.relay.run_forever(background.stop_event, idle_seconds=settings.outbox_poll_seconds)
        )
    if jobs and uow_factory is not None:
        tracking = None
        if settings.tracking_api_key is not None:
            tracking = SeventeenTrackClient(
                settings.tracking_api_key.get_secret_value(),
                settings.tracking_api_url,
                requests_per_second=settings.tracking_requests_per_second,
            )
            if metrics is not None:
                tracking = MeteredTracking(tracking, metrics)
        context = JobContext(
            settings, uow_factory, clock, worker, SqlAlchemyShipments(sessions), tracking, stats, stale_carts,
            metrics=metrics,
        )  # fmt: skip
        background.scheduler = build_scheduler(context)
        background.scheduler.start()
    elif jobs:
        log.warning("jobs_disabled reason=no_unit_of_work_factory")
    log.info("background_started worker=%s relay=%s jobs=%s", worker, relay, background.scheduler is not None)
    return background
