"""`shopbot run` (the bot process, polling or webhook) and `shopbot webhook info|delete` for operators."""

from __future__ import annotations

import asyncio
from enum import StrEnum

import typer
from telegram import Bot

from bot.logging_setup import configure_logging
from bot.settings import Settings
from bot.web_process import NotReady, RunOptions, run_bot

__all__ = ["run", "webhook_app"]

webhook_app = typer.Typer(help="The bot's Telegram webhook: what Telegram has, and removing it.")


class RuntimeChoice(StrEnum):
    ptb = "ptb"
    aiogram = "aiogram"


class ModeChoice(StrEnum):
    polling = "polling"
    webhook = "webhook"


def run(
    runtime: RuntimeChoice = typer.Option(RuntimeChoice.ptb, help="Telegram framework"),
    mode: ModeChoice = typer.Option(ModeChoice.polling, help="getUpdates polling, or Telegram posts to us"),
    no_jobs: bool = typer.Option(
        False, "--no-jobs", help="No outbox relay or scheduled jobs here: a `shopbot worker` runs them."
    ),
) -> None:
    """Run the shop bot until Ctrl+C or SIGTERM."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    options = RunOptions(runtime=runtime.value, mode=mode.value, jobs=not no_jobs)
    try:
        asyncio.run(run_bot(settings, options))
    except NotReady as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(2) from None


def _bot(settings: Settings) -> Bot:
    if settings.telegram_token is None:
        typer.echo("SHOPBOT_TELEGRAM_TOKEN is not set.", err=True)
        raise typer.Exit(2)
    api = settings.telegram_api_url.rstrip("/")
    return Bot(settings.telegram_token.get_secret_value(), base_url=f"{api}/bot")


@webhook_app.command("info")
def info() -> None:
    """Show the webhook Telegram has for this bot: URL, pending updates, last error."""

    async def show() -> None:
        async with _bot(Settings()) as bot:
            hook = await bot.get_webhook_info()
        typer.echo(f"url: {hook.url or '(none: the bot polls)'}")
        typer.echo(f"pending updates: {hook.pending_update_count}")
        typer.echo(f"allowed updates: {', '.join(hook.allowed_updates or ()) or '(all)'}")
        if hook.last_error_date:
            typer.echo(f"last error: {hook.last_error_date.isoformat()} {hook.last_error_message}")

    asyncio.run(show())


@webhook_app.command("delete")
def delete(
    drop_pending: bool = typer.Option(False, "--drop-pending", help="Also drop updates Telegram holds."),
) -> None:
    """Remove the webhook (before going back to polling, or retiring the bot)."""

    async def remove() -> None:
        async with _bot(Settings()) as bot:
            await bot.delete_webhook(drop_pending_updates=drop_pending)
        typer.echo("webhook removed" + (" and pending updates dropped" if drop_pending else ""))

    asyncio.run(remove())
