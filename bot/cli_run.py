"""`shopbot run`: the bot process — a Telegram runtime polling for updates until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from enum import StrEnum

import typer

from bot.bootstrap import assemble
from bot.http_logging import mask_in_logs, quiet_http_loggers
from bot.http_server import start_http_server
from bot.logging_setup import configure_logging
from bot.runtime import TelegramConnection, build_runtime
from bot.settings import Settings
from handlers.incoming import EventHandler

__all__ = ["run", "serve", "RuntimeChoice"]

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "SHOPBOT_TELEGRAM_TOKEN is not set. Put the token @BotFather gave you in the environment or in .env, "
    "e.g. SHOPBOT_TELEGRAM_TOKEN=123456:ABC-..."
)


class RuntimeChoice(StrEnum):
    ptb = "ptb"
    aiogram = "aiogram"


def run(
    runtime: RuntimeChoice = typer.Option(
        RuntimeChoice.ptb, "--runtime", help="Telegram framework: python-telegram-bot or aiogram"
    ),
) -> None:
    """Run the shop bot (long polling) until Ctrl+C or SIGTERM."""
    settings = Settings()
    if settings.telegram_token is None:
        typer.echo(MISSING_TOKEN, err=True)
        raise typer.Exit(2)
    configure_logging(settings.log_level, settings.log_format)
    quiet_http_loggers()
    asyncio.run(_run(settings, runtime))


async def _run(settings: Settings, runtime: RuntimeChoice) -> None:
    async with assemble(settings) as shop:
        http = await start_http_server(shop.http_app(), settings.http_host, settings.http_port)
        try:
            await serve(settings, runtime, shop.handler)
        finally:
            await http.cleanup()


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
