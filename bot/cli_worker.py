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
from bot.botapi_notifier import BotApiNotifier
from bot.cli import app
from bot.metrics import Metrics
from bot.settings import Settings
from storage.engine import create_engine, session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["worker"]

log = logging.getLogger("shopbot.worker")


async def _run(settings: Settings, *, jobs: bool, relay: bool, metrics_port: int = 0) -> None:
    if settings.telegram_token is None:
        raise typer.BadParameter("SHOPBOT_TELEGRAM_TOKEN is required to deliver messages")
    engine = create_engine(settings.database_url, pool_pre_ping=True)  # SQLite: WAL, BEGIN IMMEDIATE
    sessions = session_factory(engine)
    notifier = BotApiNotifier(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
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
        sessions=sessions,
        notifier=notifier,
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
        jobs=jobs,
        relay=relay,
        metrics=metrics,
    )
    try:
        await stop.wait()
    finally:
        await background.stop()
        await notifier.aclose()
        await engine.dispose()
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
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_run(settings, jobs=not no_jobs, relay=not no_relay, metrics_port=metrics_port))
