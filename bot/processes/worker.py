"""The body of `shopbot worker`: the scheduled jobs and the outbox relay, until SIGINT or SIGTERM."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from prometheus_client import start_http_server

from bot.clock import shop_clock
from bot.observability.metrics import Metrics
from bot.observability.scrubbing import mask_in_logs
from bot.processes.collector import settle_collector
from bot.processes.signals import stop_on_signals
from bot.settings import Settings
from bot.telegram.connection import TelegramConnection
from bot.telegram.notifier import BotApiNotifier
from bot.wiring.background import start_background
from bot.wiring.bootstrap import tracking_client
from bot.wiring.payments import build_payments
from storage.database.engine import create_engine, dispose, reports_engine
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["run_worker"]


log = logging.getLogger("shopbot.worker")


async def run_worker(
    settings: Settings, *, jobs: bool, relay: bool, metrics_port: int = 0, own_process: bool = False
) -> None:
    """`own_process`: the process is the worker's alone (the CLI): its collector is settled once ready."""
    connection = TelegramConnection.from_settings(settings)
    mask_in_logs(connection.token)
    metrics = Metrics.create()
    async with AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals())
        engine = create_engine(
            settings.database_url, pool_size=settings.database_pool_size, pool_pre_ping=True
        )  # SQLite: WAL, BEGIN IMMEDIATE
        stack.push_async_callback(dispose, engine)
        reports = reports_engine(engine)  # the daily report off the event loop's thread (SQLite)
        if reports is not engine:
            stack.push_async_callback(dispose, reports)
        notifier = BotApiNotifier(connection)
        stack.push_async_callback(notifier.aclose)
        tracking = tracking_client(settings)
        if tracking is not None:
            stack.push_async_callback(tracking.aclose)
        if metrics_port:  # relay and job counters for Prometheus (web processes serve their own /metrics)
            exporter, _ = start_http_server(metrics_port, settings.http_host, registry=metrics.registry)
            stack.callback(exporter.shutdown)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine, reports=reports)
        clock = shop_clock(settings.clock_offset)
        gateway = None
        if settings.stripe_secret_key is not None:  # refunds owed are retried here when web runs --no-jobs
            payments = build_payments(settings, uow_factory, clock)
            stack.push_async_callback(payments.aclose)
            gateway = payments.gateway
        background = await start_background(
            settings,
            uow_factory=uow_factory,
            notifier=notifier,
            tracking=tracking,
            clock=clock,
            jobs=jobs,
            relay=relay,
            metrics=metrics,
            gateway=gateway,
        )
        stack.push_async_callback(background.stop)  # the first to go
        if own_process:
            settle_collector()
        await stop.wait()
    log.info("worker_stopped")
