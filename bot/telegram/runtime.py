"""Choosing a Telegram runtime by name; each framework is imported only when chosen."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from bot.telegram.connection import TelegramConnection
from bot.telegram.flow import ButtonAnswers
from handlers.kernel.incoming import EventHandler

__all__ = ["Runtime", "RuntimeName", "ButtonAnswers", "build_runtime"]

RuntimeName = Literal["ptb", "aiogram"]


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


def build_runtime(
    name: RuntimeName,
    connection: TelegramConnection,
    handler: EventHandler,
    *,
    answers: ButtonAnswers | None = None,
) -> Runtime:
    """`answers`: answer pressed buttons through this (`shopbot run` gives its `BotApiNotifier`: the same
    HTTP call for about a third of the CPU of the framework's, whose method objects validate the request
    and its answer); None: through the framework."""
    if name == "ptb":
        from bot.telegram.ptb import PtbRuntime

        return PtbRuntime(connection, handler, answers=answers)
    if name == "aiogram":
        from bot.telegram.aiogram import AiogramRuntime

        return AiogramRuntime(connection, handler, answers=answers)
    raise ValueError(f"unknown runtime {name!r}: choose ptb or aiogram")
