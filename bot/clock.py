"""The real clock: the only place the process reads the wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.clock import Clock

__all__ = ["UtcClock", "OffsetClock", "shop_clock"]


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The wall time moved on by a fixed offset (SHOPBOT_CLOCK_OFFSET, for trials)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def shop_clock(offset: timedelta = timedelta(0)) -> Clock:
    return OffsetClock(offset) if offset else UtcClock()
