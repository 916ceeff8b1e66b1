"""Choosing a Telegram runtime by name; each framework is imported only when chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.settings import Settings
from handlers.kernel.incoming import EventHandler

__all__ = ["Runtime", "RuntimeName", "TelegramConnection", "build_runtime"]

RuntimeName = Literal["ptb", "aiogram"]


@dataclass(frozen=True, slots=True)
class TelegramConnection:
    token: str = field(repr=False)
    api_url: str = "https://api.telegram.org"
    payment_provider_token: str = field(default="", repr=False)
    poll_timeout: int = 10  # seconds a getUpdates long poll may wait

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConnection:
        if settings.telegram_token is None:
            raise ValueError("SHOPBOT_TELEGRAM_TOKEN is not set")
        provider = settings.telegram_payment_provider_token
        return cls(
            token=settings.telegram_token.get_secret_value(),
            api_url=settings.telegram_api_url.rstrip("/"),
            payment_provider_token=provider.get_secret_value() if provider else "",
        )


class Runtime(Protocol):
    async def start(self) -> None:
        """Return once the framework's own polling receives updates (not durable: tests and tools)."""

    async def start_feeding(self) -> None:
        """Instead of `start`: updates come through `feed` only; the caller polls (into the inbox)."""

    async def start_webhook(self, url: str, secret: str) -> None:
        """Instead of `start`: updates come through `feed` (webhook mode); Telegram is told to post them
        to `url` with `secret` in the X-Telegram-Bot-Api-Secret-Token header."""

    async def feed(self, payload: dict[str, Any]) -> None:
        """Handle one update (the Bot API's JSON) through the framework; returns once it is answered."""

    async def stop(self) -> None:
        """Stop receiving, answer the updates in hand, close connections."""


def build_runtime(name: RuntimeName, connection: TelegramConnection, handler: EventHandler) -> Runtime:
    if name == "ptb":
        from bot.telegram.ptb import PtbRuntime

        return PtbRuntime(connection, handler)
    if name == "aiogram":
        from bot.telegram.aiogram import AiogramRuntime

        return AiogramRuntime(connection, handler)
    raise ValueError(f"unknown runtime {name!r}: choose ptb or aiogram")
