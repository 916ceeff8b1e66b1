"""Refunds owed: written with the change that withdrew a paid order, issued after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId

__all__ = ["RefundRow"]


class RefundRow(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("key", name="uq_refunds_key"),
        Index("ix_refunds_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_refunds_order_number", "order_number"),  # an order's refunds, when its card is drawn
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(String(16))
    charge_ref: Mapped[str] = mapped_column(String(255))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refund_ref: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    key: Mapped[str] = mapped_column(String(255))  # the provider's idempotency key, one per refund owed
    notice: Mapped[str] = mapped_column(
        String(8), default="", server_default=""
    )  # what the customer is told once issued
