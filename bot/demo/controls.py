"""What the terminal runtime asks of the demo shop besides handling events: deliver, tick, open links."""

from __future__ import annotations

from typing import Protocol

from bot.demo.terminal.render import Page

__all__ = ["DemoControls", "NoControls"]


class DemoControls(Protocol):
    """What the runtime asks of the demo shop besides handling events."""

    async def settle(self) -> None:
        """Deliver what is due now (the outbox relay), so replies caused by an input follow it."""

    async def tick(self) -> list[str]:
        """Advance the fast clock one step and run the jobs due; returns lines saying what moved."""

    async def open_link(self, url: str) -> Page | None:
        """The page behind a URL button, when the demo can show one."""


class NoControls:
    async def settle(self) -> None:
        return None

    async def tick(self) -> list[str]:
        return []

    async def open_link(self, url: str) -> Page | None:
        return None
