"""`shopbot run`: the bot process (`bot.web_process`), polling or webhook, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from enum import StrEnum

import typer

from bot.http_logging import mask_in_logs
from bot.logging_setup import configure_logging
from bot.runtime import TelegramConnection, build_runtime
from bot.settings import Settings
from bot.web_process import NotReady, RunOptions, run_bot
from handlers.incoming import EventHandler

__all__ = ["run", "serve", "RuntimeChoice", "ModeChoice"]

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "SHOPBOT_TELEGRAM_TOKEN is not set. Put the token @BotFather gave you in the environment or in .env, "
    "e.g. SHOPBOT_TELEGRAM_TOKEN=123456:ABC-..."
)


class RuntimeChoice(StrEnum):
    ptb = "ptb"
    aiogram = "aiogram"


class ModeChoice(StrEnum):
    polling = "polling"
    webhook = "webhook"


def run(
    runtime: RuntimeChoice = typer.Option(
        RuntimeChoice.ptb, "--runtime", help="Telegram framework: python-telegram-bot or aiogram"
    ),
    mode: ModeChoice = typer.Option(
        ModeChoice.polling,
        "--mode",
        help="polling: getUpdates; webhook: Telegram posts to SHOPBOT_PUBLIC_URL",
    ),
    no_jobs: bool = typer.Option(
        False, "--no-jobs", help="No outbox relay or scheduled jobs here (a `shopbot worker` runs them)."
    ),
) -> None:
    """Run the shop bot until Ctrl+C or SIGTERM."""
    settings = Settings()
    if settings.telegram_token is None:
        typer.echo(MISSING_TOKEN, err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level, settings.log_format)
    try:
        asyncio.run(run_bot(settings, RunOptions(runtime.value, mode.value, jobs=not no_jobs)))
    except NotReady as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(2) from None


async def serve(settings: Settings, runtime: RuntimeChoice, handler: EventHandler) -> None:
    """Poll with `handler` until SIGINT or SIGTERM, then stop gracefully."""
    connection = TelegramConnection.from_settings(settings)
    mask_in_logs(connection.token)
    bot = build_runtime(runtime.value, connection, handler)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await bot.start()
        log.info("bot_polling runtime=%s", runtime.value)
        await stop.wait()
        log.info("bot_stopping runtime=%s", runtime.value)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await bot.stop()
