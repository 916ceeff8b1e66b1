"""Time that only moves when code sleeps: one FixedClock drives both wall time and monotonic time."""

from __future__ import annotations

from domain.clock import FixedClock

__all__ = ["ManualTime"]


class ManualTime(FixedClock):
    """`now()` for domain code, `monotonic()` and `sleep()` for rate limiters; sleeping advances both."""

    def __init__(self) -> None:
        super().__init__()
        self._start = self.now()
        self.slept = 0.0

    def monotonic(self) -> float:
        return (self.now() - self._start).total_seconds()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            seconds = max(seconds, 1e-6)  # a sleep always moves the clock by at least one tick
            self.slept += seconds
            self.advance(seconds=seconds)
