"""`shopbot run`: the bot process (`bot.processes.web`), polling or webhook, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
from typing import cast, get_args

import click

from bot.cli.output import fail
from bot.cli.preflight import load_settings, require_database
from bot.observability.logs import configure_logging
from bot.processes.web import Mode, NotReady, RunOptions, run_bot
from bot.telegram.runtime import RuntimeName

__all__ = ["run", "RUNTIMES", "MODES"]

RUNTIMES: tuple[RuntimeName, ...] = get_args(RuntimeName)
MODES: tuple[Mode, ...] = get_args(Mode)

MISSING_TOKEN = (
    "SHOPBOT_TELEGRAM_TOKEN is not set. Put the token @BotFather gave you in the environment or in .env, "
    "e.g. SHOPBOT_TELEGRAM_TOKEN=123456:ABC-..."
)


@click.command()
@click.option(
    "--runtime",
    type=click.Choice(RUNTIMES),
    default="ptb",
    show_default=True,
    help="Telegram framework: python-telegram-bot or aiogram",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="polling",
    show_default=True,
    help="polling: getUpdates; webhook: Telegram posts to SHOPBOT_PUBLIC_URL",
)
@click.option(
    "--no-jobs", is_flag=True, help="No outbox relay or scheduled jobs here (a `shopbot worker` runs them)."
)
def run(runtime: str, mode: str, no_jobs: bool) -> None:
    """Run the shop bot until Ctrl+C or SIGTERM."""
    settings = load_settings()
    if settings.telegram_token is None:
        raise fail(MISSING_TOKEN)
    if no_jobs:  # a process that runs the jobs migrates the database itself; a web process of many waits
        require_database(settings.database_url)
    configure_logging(settings.log_level, settings.log_format)
    try:
        options = RunOptions(cast(RuntimeName, runtime), cast(Mode, mode), jobs=not no_jobs, own_process=True)
        asyncio.run(run_bot(settings, options))
    except NotReady as exc:
        raise fail(f"Cannot start: {exc}") from None
