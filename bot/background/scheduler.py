"""The schedule: which job runs when, from Settings, on an APScheduler 3 AsyncIOScheduler.

Every job coalesces missed runs into one, never overlaps itself (`max_instances=1`) and may start up
to `misfire_grace_time` late. Overlap between processes is handled by the jobs themselves (leases,
conditional updates, dedupe keys), so running `shopbot worker` twice is safe.

Jobs written elsewhere are scheduled by module name: `jobs.<name>` exposing `async def run(context)`
(see `JobContext`); a missing module is logged and skipped, not fatal.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.background.job_runs import JobRuns
from bot.observability.metrics import Metrics
from bot.settings import Settings
from domain.clock import Clock
from domain.ports import (
    CarrierTracking,
    Housekeeping,
    PaymentGateway,
    Shipments,
    ShopFigures,
    StaleCarts,
    UnitOfWorkFactory,
)
from jobs.abandoned_carts import AbandonedCarts
from jobs.complete_delivered import CompleteDelivered
from jobs.daily_report import DailyReport
from jobs.low_stock import LowStockAlerts
from jobs.poll_tracking import PollTracking
from jobs.prune import PruneWorkTables, Retention
from jobs.retry_refunds import RetryRefunds
from jobs.staff_prompts import EndStalePrompts
from jobs.unanswered_orders import UnansweredOrders

__all__ = ["JobContext", "JobRuns", "build_scheduler", "EXTERNAL_JOBS"]

log = logging.getLogger("shopbot.scheduler")

# Jobs owned by other modules, scheduled by name: job module -> interval setting (seconds).
EXTERNAL_JOBS = {"jobs.expire_reservations": "expiry_poll_seconds"}


@dataclass
class JobContext:
    """What a job may use; `bot/` builds it once per process."""

    settings: Settings
    uow_factory: UnitOfWorkFactory
    clock: Clock
    worker: str
    shipments: Shipments | None = None
    tracking: CarrierTracking | None = None  # None: manual delivery states (no API key)
    figures: ShopFigures | None = None  # the daily report's numbers, as /stats computes them
    stale_carts: StaleCarts | None = None
    metrics: Metrics | None = None  # counts job runs by outcome
    gateway: PaymentGateway | None = None  # refunds owed are retried through it (None: no card payments)
    housekeeping: Housekeeping | None = None  # settled work rows are pruned through it (None: kept)


def _logged(
    name: str, run: Callable[[], Awaitable[Any]], metrics: Metrics | None = None, runs: JobRuns | None = None
) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        task = asyncio.current_task()
        if runs is not None and task is not None:
            runs.tasks.add(task)
            task.add_done_callback(runs.tasks.discard)
        try:
            result = await run()
        except Exception:
            log.exception("job_failed job=%s", name)
            outcome = "error"
        else:
            # A run that changed nothing (a falsy result) is routine: DEBUG, not a line every few seconds.
            log.log(logging.INFO if result else logging.DEBUG, "job_done job=%s result=%s", name, result)
            outcome = "ok"
        if metrics is not None:
            metrics.job_runs.labels(name, outcome).inc()

    job.__name__ = name
    return job


def _external(name: str, context: JobContext) -> Callable[[], Awaitable[Any]] | None:
    try:
        module = importlib.import_module(name)
    except ImportError:
        log.warning("job_missing job=%s", name)
        return None
    return lambda: module.run(context)


def _jobs(ctx: JobContext) -> list[tuple[str, Callable[[], Awaitable[Any]], Any]]:
    s = ctx.settings
    every = lambda seconds: IntervalTrigger(seconds=seconds)  # noqa: E731
    chat = s.merchant_chat_id
    plan: list[tuple[str, Callable[[], Awaitable[Any]], Any]] = [
        ("low_stock", LowStockAlerts(ctx.uow_factory, ctx.clock, chat).run, every(s.low_stock_poll_seconds)),
        (
            "unanswered_orders",
            UnansweredOrders(
                ctx.uow_factory,
                ctx.clock,
                chat,
                timedelta(minutes=s.unanswered_order_minutes),
                remembered=timedelta(days=s.outbox_retention_days),
            ).run,
            every(60),
        ),
        (
            "staff_prompts",
            EndStalePrompts(ctx.uow_factory, ctx.clock, manual_delivery=ctx.tracking is None).run,
            every(60),
        ),
        (
            "complete_delivered",
            CompleteDelivered(
                ctx.uow_factory,
                ctx.clock,
                timedelta(days=s.complete_after_days),
                merchant_chat_id=chat,
                manual_delivery=ctx.tracking is None,  # the order cards it redraws
            ).run,
            every(3600),
        ),
    ]
    if ctx.shipments is not None and ctx.tracking is not None:
        poll = PollTracking(
            ctx.uow_factory,
            ctx.shipments,
            ctx.tracking,
            ctx.clock,
            ctx.worker,
            poll_every=timedelta(seconds=s.tracking_poll_seconds),
            merchant_chat_id=chat,
        )
        plan.append(("poll_tracking", poll.run, every(min(s.tracking_poll_seconds, 300))))
    if ctx.gateway is not None:
        manual = ctx.tracking is None  # the order cards it redraws offer delivery buttons
        refunds = RetryRefunds(ctx.uow_factory, ctx.gateway, ctx.clock, chat, manual_delivery=manual)
        plan.append(("retry_refunds", refunds.run, every(60)))
    if ctx.figures is not None:
        report = DailyReport(ctx.uow_factory, ctx.figures, ctx.clock, chat, s.timezone)
        zone = ZoneInfo(s.timezone)
        plan.append(("daily_report", report.run, CronTrigger(hour=s.daily_report_hour, timezone=zone)))
    if ctx.stale_carts is not None:
        carts = AbandonedCarts(
            ctx.uow_factory, ctx.stale_carts, ctx.clock, timedelta(hours=s.abandoned_cart_hours)
        )
        plan.append(("abandoned_carts", carts.run, every(900)))
    if ctx.housekeeping is not None:
        kept = Retention(
            outbox=timedelta(days=s.outbox_retention_days),
            updates=timedelta(days=s.update_retention_days),
            webhook_events=timedelta(days=s.webhook_event_retention_days),
        )
        prune = PruneWorkTables(ctx.housekeeping, ctx.clock, kept)
        plan.append(("prune", prune.run, every(s.prune_interval_seconds)))
    for name, setting in EXTERNAL_JOBS.items():
        run = _external(name, ctx)
        if run is not None:
            plan.append((name.rsplit(".", 1)[-1], run, every(getattr(s, setting))))
    return plan


def _first_run(context: JobContext, trigger: Any) -> dict[str, Any]:
    """Interval jobs run once as the scheduler starts, then every interval. The daily report runs at
    start too when its hour has passed today, so a restart after the hour does not skip the day (its
    dedupe key, the day, keeps it to one report)."""
    s = context.settings
    if isinstance(trigger, IntervalTrigger):
        return {"next_run_time": datetime.now(UTC)}
    local = context.clock.now().astimezone(ZoneInfo(s.timezone))
    if isinstance(trigger, CronTrigger) and local.hour >= s.daily_report_hour:
        return {"next_run_time": datetime.now(UTC)}
    return {}


def build_scheduler(
    context: JobContext, *, misfire_grace_seconds: int = 60, runs: JobRuns | None = None
) -> AsyncIOScheduler:
    """A scheduler with every job planned from settings; the caller starts and shuts it down (with
    `runs`, after letting the runs in progress finish)."""
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": misfire_grace_seconds},
    )
    for name, run, trigger in _jobs(context):
        job = _logged(name, run, context.metrics, runs)
        first = _first_run(context, trigger)
        scheduler.add_job(job, trigger, id=name, name=name, replace_existing=True, **first)
    return scheduler
