"""The demo's fast clock: real time, plus whatever `/tick` has skipped ahead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import UtcClock

__all__ = ["FastClock", "SteppingClock"]


class SteppingClock(Protocol):
    """A `domain.clock.Clock` that `/tick` can move forward: `FastClock`, or `FixedClock` for replays."""

    def now(self) -> datetime: ...
    def advance(self, **delta: float) -> datetime: ...


class FastClock:
    """Reads the wall clock and adds an offset that only grows; `advance` is what `/tick` does."""

    def __init__(self, wall: Callable[[], datetime] | None = None) -> None:
        self._wall = wall or UtcClock().now
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._wall() + self._offset

    def advance(self, **delta: float) -> datetime:
        self._offset += timedelta(**delta)
        return self.now()
