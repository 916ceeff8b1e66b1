"""`shopbot run`: the bot process (`bot.processes.web`), polling or webhook, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
from enum import StrEnum

import typer

from bot.cli.preflight import load_settings, require_database
from bot.observability.logs import configure_logging
from bot.processes.web import NotReady, RunOptions, run_bot

__all__ = ["run", "RuntimeChoice", "ModeChoice"]

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
    settings = load_settings()
    if settings.telegram_token is None:
        typer.echo(MISSING_TOKEN, err=True)
        raise typer.Exit(2)
    if no_jobs:  # a process that runs the jobs migrates the database itself; a web process of many waits
        require_database(settings.database_url)
    configure_logging(settings.log_level, settings.log_format)
    try:
        options = RunOptions(runtime.value, mode.value, jobs=not no_jobs, own_process=True)
        asyncio.run(run_bot(settings, options))
    except NotReady as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(2) from None
