"""`Shipments` over SQLAlchemy: the `shipments` table of parcels polled at the tracking provider,
leased to one poller at a time (`storage/leases.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from domain.ports import Shipment
from storage.base import Base, UtcDateTime
from storage.leases import claim, release

__all__ = ["ShipmentRow", "SqlAlchemyShipments"]


class ShipmentRow(Base):
    __tablename__ = "shipments"

    tracking_number: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(16), index=True)
    carrier: Mapped[str | None] = mapped_column(String(40))
    last_status: Mapped[str] = mapped_column(String(32), default="")
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (Index("ix_shipments_due", "active", "next_poll_at"),)


_FIELDS = tuple(f.name for f in fields(Shipment))  # every one is a column of the same name
_POLLED = ("last_status", "registered", "active", "failures", "next_poll_at")  # what a poll changes


def _shipment(row: ShipmentRow) -> Shipment:
    return Shipment(**{name: getattr(row, name) for name in _FIELDS})


class SqlAlchemyShipments:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def track(self, shipments: Sequence[Shipment]) -> int:
        wanted = {s.tracking_number: s for s in shipments}
        if not wanted:
            return 0
        known = select(ShipmentRow.tracking_number).where(ShipmentRow.tracking_number.in_(wanted))
        try:
            async with self._sessions() as session, session.begin():
                for number in (await session.execute(known)).scalars():
                    wanted.pop(number, None)
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
            ShipmentRow.tracking_number,
            due=[
                ShipmentRow.active.is_(True),
                or_(ShipmentRow.next_poll_at.is_(None), ShipmentRow.next_poll_at <= now),
            ],
            order_by=[ShipmentRow.next_poll_at, ShipmentRow.tracking_number],
            now=now,
            until=until,
            worker=worker,
            limit=limit,
        )
        return sorted((_shipment(row) for row in rows), key=lambda s: s.tracking_number)

    async def save(self, shipment: Shipment, worker: str) -> bool:
        number = ShipmentRow.tracking_number == shipment.tracking_number
        changes = {name: getattr(shipment, name) for name in _POLLED}
        return await release(self._sessions, ShipmentRow, number, worker=worker, **changes) == 1
