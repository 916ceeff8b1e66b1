"""An in-memory `CarrierTracking` for unit tests: statuses, refused numbers and scripted outages."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from domain.ports import TrackingStatus
from domain.tracking.statuses import REJECTED

__all__ = ["FakeCarrierTracking"]


class FakeCarrierTracking:
    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}
        self.refused: dict[str, str] = {}
        self.registered: set[str] = set()
        self.outages: deque[Exception] = deque()  # raised by the next calls, one each
        self.calls: list[tuple[str, int]] = []

    def _call(self, name: str, size: int) -> None:
        self.calls.append((name, size))
        if self.outages:
            raise self.outages.popleft()

    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        await self.register_many([(tracking_number, carrier)])

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        self._call("register", len(parcels))
        refused = {n: self.refused[n] for n, _ in parcels if n in self.refused}
        self.registered |= {n for n, _ in parcels if n not in refused}
        return refused

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        self._call("fetch", len(tracking_numbers))
        return [
            TrackingStatus(n, REJECTED, self.refused[n])
            if n in self.refused
            else TrackingStatus(n, self.statuses.get(n, "NotFound"))
            for n in tracking_numbers
        ]
