"""`shopbot config check`: every setting validated, and which integrations they turn on.

Secret values are never printed: a secret is only ever "set" or "not set".
"""

from __future__ import annotations

import click

from bot.cli.preflight import database_problem, load_settings, shown_url
from bot.settings import Settings

__all__ = ["app", "integrations"]


@click.group()
def app() -> None:
    """The settings (environment variables SHOPBOT_* and .env)."""


def _both(settings: Settings, *names: str) -> tuple[bool, str]:
    missing = [f"SHOPBOT_{n.upper()}" for n in names if getattr(settings, n) is None]
    if not missing:
        return True, ""
    return False, " and ".join(missing) + (" is" if len(missing) == 1 else " are") + " not set"


def integrations(settings: Settings) -> list[tuple[str, bool, str]]:
    """(integration, on, what it means or what is missing), in the order `config check` prints them."""
    telegram, why = _both(settings, "telegram_token")
    stripe, stripe_why = _both(settings, "stripe_secret_key", "stripe_webhook_secret")
    chat = settings.merchant_chat_id
    staff = len(settings.merchant_user_ids)
    tracking = settings.tracking_api_key is not None
    hook = settings.telegram_webhook_secret is not None
    return [
        ("Telegram", telegram, f"bot API at {settings.telegram_api_url}" if telegram else why + " (needed)"),
        ("Stripe card payments", stripe, f"API at {settings.stripe_api_url}" if stripe else stripe_why),
        (
            "Telegram payments",
            settings.telegram_payment_provider_token is not None,
            "invoices in the chat" if settings.telegram_payment_provider_token else "no provider token",
        ),
        (
            "cash on delivery",
            settings.cash_on_delivery,
            "offered" if settings.cash_on_delivery else "not offered",
        ),
        (
            "17TRACK parcel tracking",
            tracking,
            f"polled every {settings.tracking_poll_seconds} s"
            if tracking
            else "SHOPBOT_TRACKING_API_KEY is not set: staff set delivery states by hand",
        ),
        (
            "merchant chat",
            chat is not None,
            f"chat {chat}, {staff} staff id(s)"
            if chat is not None
            else "SHOPBOT_MERCHANT_CHAT_ID is not set",
        ),
        (
            "Telegram webhook",
            hook,
            f"`shopbot run --mode webhook` at {settings.public_url}"
            if hook
            else "polling only (SHOPBOT_TELEGRAM_WEBHOOK_SECRET is not set)",
        ),
    ]


@app.command("check")
def check() -> None:
    """Validate every setting (one line per bad one, exit 2) and say which integrations are on."""
    settings = load_settings()
    click.echo("settings: all valid")
    for name, on, detail in integrations(settings):
        click.echo(f"{name}: {'on' if on else 'off'} — {detail}")
    problem = database_problem(settings.database_url)
    click.echo(f"database: {problem or f'{shown_url(settings.database_url)} is set up'}")
    if settings.clock_offset:
        click.echo(
            f"clock: {settings.clock_offset} ahead of this machine (SHOPBOT_CLOCK_OFFSET; trials only)"
        )
