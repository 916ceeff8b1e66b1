"""A simulated parcel carrier for the demo: statuses advance on the demo's fast clock.

`SimulatedCarrier` implements `domain.ports.CarrierTracking` with 17TRACK's main statuses. A parcel is
InfoReceived when first seen, then moves one step every `step` of clock time: InTransit, OutForDelivery,
Delivered. A tracking number containing "LOST" goes InfoReceived, InTransit, Exception instead, to show
the problem path. It is driven by the same tracking poll job as the real 17TRACK client.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.clock import Clock
from domain.ports import TrackingStatus

__all__ = ["SimulatedCarrier", "JOURNEY", "LOST_JOURNEY"]

JOURNEY: tuple[tuple[str, str], ...] = (
    ("InfoReceived", "Shipping label created, parcel handed to the carrier"),
    ("InTransit", "Departed the sorting centre"),
    ("OutForDelivery", "Out for delivery with the courier"),
    ("Delivered", "Delivered, left with the recipient"),
)
LOST_JOURNEY: tuple[tuple[str, str], ...] = (
    *JOURNEY[:2],
    ("Exception", "Parcel damaged in transit, returned to the sorting centre"),
)


class SimulatedCarrier:
    def __init__(self, clock: Clock, *, step: timedelta = timedelta(seconds=10)) -> None:
        if step <= timedelta(0):
            raise ValueError("step must be positive")
        self._clock = clock
        self._step = step
        self._first_seen: dict[str, datetime] = {}

    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        self._first_seen.setdefault(tracking_number, self._clock.now())

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        for number, carrier in parcels:
            await self.register(number, carrier)
        return {}  # the simulated carrier takes every number

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        # A parcel the carrier has not heard of is taken as handed over now (a demo kept with --db
        # restarts with an empty carrier; its parcels start their journey again).
        for number in tracking_numbers:
            await self.register(number)
        return [self.status(number) for number in tracking_numbers]

    def status(self, tracking_number: str) -> TrackingStatus:
        first_seen = self._first_seen.get(tracking_number)
        if first_seen is None:
            return TrackingStatus(tracking_number, "NotFound")
        journey = LOST_JOURNEY if "LOST" in tracking_number.upper() else JOURNEY
        steps = int((self._clock.now() - first_seen) / self._step)
        index = max(0, min(steps, len(journey) - 1))
        status, detail = journey[index]
        return TrackingStatus(tracking_number, status, detail, first_seen + index * self._step)
