"""`Shipments` over SQLAlchemy: the `shipments` table of parcels polled at the tracking provider.

Leasing works as for the outbox (`storage/outbox_queue.py`): one UPDATE claims due, unleased rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL), and saving is conditional on still holding the lease.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from domain.ports import Shipment
from storage.base import Base, UtcDateTime

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


def _shipment(row: ShipmentRow) -> Shipment:
    return Shipment(
        tracking_number=row.tracking_number,
        order_number=row.order_number,
        carrier=row.carrier,
        last_status=row.last_status,
        registered=row.registered,
        active=row.active,
        failures=row.failures,
        next_poll_at=row.next_poll_at,
    )


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
                    ShipmentRow(
                        tracking_number=s.tracking_number,
                        order_number=s.order_number,
                        carrier=s.carrier,
                        last_status=s.last_status,
                        registered=s.registered,
                        active=s.active,
                        failures=0,
                        next_poll_at=s.next_poll_at,
                    )
                    for s in wanted.values()
                )
        except IntegrityError:  # another process tracked one of them meanwhile: the next run adds the rest
            return 0
        return len(wanted)

    async def lease_due(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 400
    ) -> list[Shipment]:
        free = or_(ShipmentRow.lease_until.is_(None), ShipmentRow.lease_until < now)
        due = (
            select(ShipmentRow.tracking_number)
            .where(ShipmentRow.active.is_(True), free)
            .where(or_(ShipmentRow.next_poll_at.is_(None), ShipmentRow.next_poll_at <= now))
            .order_by(ShipmentRow.next_poll_at, ShipmentRow.tracking_number)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
            .prefix_with("MATERIALIZED")  # evaluated once: a re-scanned SKIP LOCKED subquery claims more
        )
        claim = (
            update(ShipmentRow)
            .where(
                ShipmentRow.tracking_number.in_(select(due.c.tracking_number)),
                ShipmentRow.active.is_(True),
                free,
            )
            .values(lease_until=until, leased_by=worker)
            .returning(ShipmentRow)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            rows = (await session.execute(claim)).scalars().all()
            return sorted((_shipment(row) for row in rows), key=lambda s: s.tracking_number)

    async def save(self, shipment: Shipment, worker: str) -> bool:
        stmt = (
            update(ShipmentRow)
            .where(ShipmentRow.tracking_number == shipment.tracking_number, ShipmentRow.leased_by == worker)
            .values(
                last_status=shipment.last_status,
                registered=shipment.registered,
                active=shipment.active,
                failures=shipment.failures,
                next_poll_at=shipment.next_poll_at,
                lease_until=None,
                leased_by=None,
            )
            .execution_options(synchronize_session=False)
        )
        async with self._sessions() as session, session.begin():
            return (await session.execute(stmt)).rowcount == 1
