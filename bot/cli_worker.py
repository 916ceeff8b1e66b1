"""`shopbot worker`: the scheduled jobs and the outbox relay, without the Telegram runtime.

Run as many as you like (one per host, or two for failover): leases keep them from doing the same
work twice. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack

import typer
from prometheus_client import start_http_server

from bot.background import start_background
from bot.bootstrap import tracking_client
from bot.cli import app
from bot.clock import UtcClock
from bot.http_logging import mask_in_logs
from bot.logging_setup import configure_logging
from bot.metrics import Metrics
from bot.notifier import BotApiNotifier
from bot.process_signals import stop_on_signals
from bot.runtime import TelegramConnection
from bot.settings import Settings
from storage.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["worker"]

log = logging.getLogger("shopbot.worker")


async def _run(settings: Settings, *, jobs: bool, relay: bool, metrics_port: int = 0) -> None:
    connection = TelegramConnection.from_settings(settings)
    mask_in_logs(connection.token)
    metrics = Metrics.create()
    async with AsyncExitStack() as stack:
        stop = stack.enter_context(stop_on_signals())
        engine = create_engine(settings.database_url, pool_pre_ping=True)  # SQLite: WAL, BEGIN IMMEDIATE
        stack.push_async_callback(dispose, engine)
        notifier = BotApiNotifier(connection)
        stack.push_async_callback(notifier.aclose)
        tracking = tracking_client(settings)
        if tracking is not None:
            stack.push_async_callback(tracking.aclose)
        if metrics_port:  # relay and job counters for Prometheus (web processes serve their own /metrics)
            exporter, _ = start_http_server(metrics_port, settings.http_host, registry=metrics.registry)
            stack.callback(exporter.shutdown)
        background = await start_background(
            settings,
            uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
            notifier=notifier,
            tracking=tracking,
            clock=UtcClock(),
            jobs=jobs,
            relay=relay,
            metrics=metrics,
        )
        stack.push_async_callback(background.stop)  # the first to go
        await stop.wait()
    log.info("worker_stopped")


@app.command()
def worker(
    no_relay: bool = typer.Option(False, "--no-relay", help="Run the jobs only; another process relays."),
    no_jobs: bool = typer.Option(False, "--no-jobs", help="Run the outbox relay only."),
    metrics_port: int = typer.Option(
        0, "--metrics-port", help="Serve Prometheus metrics on this port (0: off)."
    ),
) -> None:
    """Run the scheduled jobs and the outbox relay (no Telegram updates are handled here)."""
    settings = Settings()
    if settings.telegram_token is None:
        typer.echo("SHOPBOT_TELEGRAM_TOKEN is not set: the worker delivers messages through it.", err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_run(settings, jobs=not no_jobs, relay=not no_relay, metrics_port=metrics_port))
