"""`shopbot worker`: the scheduled jobs and the outbox relay, without the Telegram runtime.

Run as many as you like (one per host, or two for failover): leases keep them from doing the same
work twice. Stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import typer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.background import start_background
from bot.botapi_notifier import BotApiNotifier
from bot.cli import app
from bot.settings import Settings
from domain.ports import UnitOfWorkFactory

__all__ = ["worker"]

log = logging.getLogger("shopbot.worker")


def _uow_factory(sessions: async_sessionmaker) -> UnitOfWorkFactory | None:
    """The storage module's unit of work over `sessions`; None runs the relay only. (Wired at merge.)"""
    return None


async def _run(settings: Settings, *, jobs: bool, relay: bool) -> None:
    if settings.telegram_token is None:
        raise typer.BadParameter("SHOPBOT_TELEGRAM_TOKEN is required to deliver messages")
    engine = create_async_engine(settings.database_url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    sessions = async_sessionmaker(engine, expire_on_commit=False)
    notifier = BotApiNotifier(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    background = await start_background(
        settings,
        sessions=sessions,
        notifier=notifier,
        uow_factory=_uow_factory(sessions),
        jobs=jobs,
        relay=relay,
    )
    try:
        await stop.wait()
    finally:
        await background.stop()
        await notifier.aclose()
        await engine.dispose()
        log.info("worker_stopped")


@app.command()
def worker(
    no_relay: bool = typer.Option(False, "--no-relay", help="Run the jobs only; another process relays."),
    no_jobs: bool = typer.Option(False, "--no-jobs", help="Run the outbox relay only."),
) -> None:
    """Run the scheduled jobs and the outbox relay (no Telegram updates are handled here)."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_run(settings, jobs=not no_jobs, relay=not no_relay))
