"""The real clock: the only place the process reads the wall time."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["UtcClock"]


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
