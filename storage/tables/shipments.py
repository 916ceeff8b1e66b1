"""Parcels the tracking poll follows: one row per order and tracking number (one parcel can carry two
orders, each tracked and told), leased while a poll is on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId

__all__ = ["ShipmentRow"]


class ShipmentRow(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tracking_number: Mapped[str] = mapped_column(String(40), index=True)
    order_number: Mapped[str] = mapped_column(String(16), index=True)
    carrier: Mapped[str | None] = mapped_column(String(40))
    last_status: Mapped[str] = mapped_column(String(32), default="")
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index("ix_shipments_due", "active", "next_poll_at"),
        UniqueConstraint("order_number", "tracking_number"),
    )
