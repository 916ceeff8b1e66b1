"""Composition root of the bot process: opens what the conversation needs and closes it at stop.

`assemble(settings)` yields the `EventHandler` a runtime calls. Resources are made here, at start-up,
never at import time: the database engine (disposed at stop) and its session factory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot.settings import Settings
from handlers.incoming import EventHandler

__all__ = ["assemble", "build_handler", "ShopNotWired"]


class ShopNotWired(RuntimeError):
    """The conversation entry point is not connected to the bot process in this build."""


@asynccontextmanager
async def assemble(settings: Settings) -> AsyncIterator[EventHandler]:
    engine = create_async_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        yield build_handler(settings, sessions=sessions)
    finally:
        await engine.dispose()


def build_handler(settings: Settings, *, sessions: async_sessionmaker[AsyncSession]) -> EventHandler:
    """The conversation entry point over a unit-of-work factory built from `sessions`."""
    raise ShopNotWired(
        "the conversation handlers are not connected to `shopbot run` in this build (bot/bootstrap.py)"
    )
