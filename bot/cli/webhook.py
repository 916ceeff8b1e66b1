"""`shopbot webhook info|delete`: what Telegram holds for the bot's webhook, and removing it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import click

from bot.cli.output import fail
from bot.cli.preflight import load_settings
from bot.observability.logs import configure_logging
from bot.observability.scrubbing import mask_in_logs
from bot.settings import Settings

if TYPE_CHECKING:
    from telegram import Bot

__all__ = ["app"]


@click.group()
def app() -> None:
    """The bot's Telegram webhook: what Telegram has, and removing it."""


def _bot(settings: Settings) -> Bot:
    if settings.telegram_token is None:
        raise fail("SHOPBOT_TELEGRAM_TOKEN is not set.")
    token = settings.telegram_token.get_secret_value()
    configure_logging(settings.log_level, settings.log_format)
    mask_in_logs(token)
    api = settings.telegram_api_url.rstrip("/")
    from telegram import Bot  # here: `shopbot run --runtime aiogram` imports no PTB through the CLI

    return Bot(token, base_url=f"{api}/bot")


def _ask_telegram(call: Coroutine[Any, Any, None]) -> None:
    from telegram.error import TelegramError  # PTB only when this command runs

    try:
        asyncio.run(call)
    except TelegramError as exc:
        raise fail(f"Telegram did not answer: {exc}") from None


@app.command("info")
def info() -> None:
    """Show the webhook Telegram has for this bot: URL, pending updates, last error."""
    settings = load_settings()

    async def show() -> None:
        async with _bot(settings) as bot:
            hook = await bot.get_webhook_info()
        click.echo(f"url: {hook.url or '(none: the bot polls)'}")
        click.echo(f"pending updates: {hook.pending_update_count}")
        click.echo(f"allowed updates: {', '.join(hook.allowed_updates or ()) or '(all)'}")
        if hook.last_error_date:
            click.echo(f"last error: {hook.last_error_date.isoformat()} {hook.last_error_message}")

    _ask_telegram(show())


@app.command("delete")
@click.option("--drop-pending", is_flag=True, help="Also drop updates Telegram holds.")
def delete(drop_pending: bool) -> None:
    """Remove the webhook (before going back to polling, or retiring the bot)."""
    settings = load_settings()

    async def remove() -> None:
        async with _bot(settings) as bot:
            await bot.delete_webhook(drop_pending_updates=drop_pending)
        click.echo("webhook removed" + (" and pending updates dropped" if drop_pending else ""))

    _ask_telegram(remove())
