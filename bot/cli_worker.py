"""`shopbot worker`: the scheduled jobs and the outbox relay, without the Telegram runtime.

Run as many as you like (one per host, or two for failover): leases keep them from doing the same
work twice. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal

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
from bot.runtime import TelegramConnection
from bot.settings import Settings
from storage.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["worker"]

log = logging.getLogger("shopbot.worker")


async def _run(settings: Settings, *, jobs: bool, relay: bool, metrics_port: int = 0) -> None:
    connection = TelegramConnection.from_settings(settings)
    mask_in_logs(connection.token)
    engine = create_engine(settings.database_url, pool_pre_ping=True)  # SQLite: WAL, BEGIN IMMEDIATE
    notifier = BotApiNotifier(connection)
    tracking = tracking_client(settings)
    metrics = Metrics.create()
    exporter = None
    if metrics_port:  # relay and job counters, for Prometheus (the web processes serve their own /metrics)
        exporter, _ = start_http_server(metrics_port, settings.http_host, registry=metrics.registry)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
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
    try:
        await stop.wait()
    finally:
        await background.stop()
        await notifier.aclose()
        if tracking is not None:
            await tracking.aclose()
        await dispose(engine)
        if exporter is not None:
            exporter.shutdown()
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
