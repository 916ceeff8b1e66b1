"""`Shipments` over SQLAlchemy: the `shipments` table of parcels polled at the tracking provider,
leased to one poller at a time (`storage/queues/leases.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.ports import Shipment
from storage.queues.leases import claim, release
from storage.tables.shipments import ShipmentRow

__all__ = ["SqlAlchemyShipments"]


_FIELDS = tuple(f.name for f in fields(Shipment))  # every one is a column of the same name
_POLLED = ("last_status", "registered", "active", "failures", "next_poll_at")  # what a poll changes


def _shipment(row: ShipmentRow) -> Shipment:
    return Shipment(**{name: getattr(row, name) for name in _FIELDS})


class SqlAlchemyShipments:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def track(self, shipments: Sequence[Shipment]) -> int:
        wanted = {(s.order_number, s.tracking_number): s for s in shipments}
        if not wanted:
            return 0
        pair = tuple_(ShipmentRow.order_number, ShipmentRow.tracking_number)
        known = select(ShipmentRow.order_number, ShipmentRow.tracking_number).where(pair.in_(list(wanted)))
        try:
            async with self._sessions() as session, session.begin():
                for order_number, number in await session.execute(known):
                    wanted.pop((order_number, number), None)
                session.add_all(
                    ShipmentRow(**{name: getattr(s, name) for name in _FIELDS}) for s in wanted.values()
                )
        except IntegrityError:  # another process tracked one of them meanwhile: the next run adds the rest
            return 0
        return len(wanted)

    async def lease_due(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 400
    ) -> list[Shipment]:
        rows = await claim(
            self._sessions,
            ShipmentRow,
            ShipmentRow.id,
            due=[
                ShipmentRow.active.is_(True),
                or_(ShipmentRow.next_poll_at.is_(None), ShipmentRow.next_poll_at <= now),
            ],
            order_by=[ShipmentRow.next_poll_at, ShipmentRow.id],
            now=now,
            until=until,
            worker=worker,
            limit=limit,
        )
        return sorted((_shipment(row) for row in rows), key=lambda s: (s.tracking_number, s.order_number))

    async def save(self, shipment: Shipment, worker: str) -> bool:
        this = and_(
            ShipmentRow.order_number == shipment.order_number,
            ShipmentRow.tracking_number == shipment.tracking_number,
        )
        changes = {name: getattr(shipment, name) for name in _POLLED}
        return await release(self._sessions, ShipmentRow, this, worker=worker, **changes) == 1
