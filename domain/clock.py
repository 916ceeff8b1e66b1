"""Time rules: every instant in the domain is timezone-aware UTC and comes from a Clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "require_utc", "FixedClock"]


class Clock(Protocol):
    def now(self) -> datetime: ...


def require_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise ValueError(f"expected an aware UTC datetime, got {moment!r}")
    return moment


class FixedClock:
    """A clock that only moves when told to: for tests, the demo's fast clock and replays."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = require_utc(start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = require_utc(moment)
