"""Funnel events: customers reaching a step before an order exists (cart created, checkout started)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId

__all__ = ["FunnelEventRow"]


class FunnelEventRow(Base):
    __tablename__ = "funnel_events"
    __table_args__ = (Index("ix_funnel_events_at_step", "at", "step"),)  # a period's counts, index-only

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    step: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
