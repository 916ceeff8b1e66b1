"""The tracking provider used without an API key: merchants set delivery states with buttons.

It registers nothing and reports nothing, so the poll job changes no order; the merchant's buttons
call `jobs.apply_tracking.apply_carrier_status` with the status they chose.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.ports import TrackingStatus

__all__ = ["ManualTracking"]


class ManualTracking:
    async def register(self, tracking_number: str, carrier: str | None = None) -> None:
        return None

    async def register_many(self, parcels: Sequence[tuple[str, str | None]]) -> dict[str, str]:
        return {}

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[TrackingStatus]:
        return []
