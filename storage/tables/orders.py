"""Orders with their lines (price snapshots) and status timeline.

Totals are stored next to the lines so the invariant checker can prove they agree. `version` is bumped by
every save (`UPDATE ... WHERE version = :old`), which turns a lost update into a clear error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId, Json

__all__ = ["OrderRow", "OrderLineRow", "OrderTimelineRow"]


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status", "status"),
        Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),
        # Covers the merchant's figures (storage.analytics.figures): counts and sums by placement, index-only.
        Index("ix_orders_placed_at", "placed_at", "status", "paid_at", "currency", "total_minor", "number"),
        Index("ix_orders_number_paid_at", "number", "paid_at"),  # analytics: paid -> shipped, index-only
    )

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(24))
    payment_method: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    shipping_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    promo_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    delivery_code: Mapped[str] = mapped_column(String(40))
    delivery_label: Mapped[str] = mapped_column(String(120))
    delivery_label_zh: Mapped[str] = mapped_column(String(120), default="", server_default="")
    address: Mapped[dict[str, Any] | None] = mapped_column(Json)  # snapshot at checkout
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reserved_until: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    payment_ref: Mapped[str | None] = mapped_column(String(255))
    provider_charge_id: Mapped[str | None] = mapped_column(String(255))
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(40), index=True)
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_phone: Mapped[str] = mapped_column(String(20), default="")
    merchant_message_id: Mapped[int | None] = mapped_column(BigInteger)
    delivery_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    lines: Mapped[list[OrderLineRow]] = relationship(order_by="OrderLineRow.position", lazy="raise")
    timeline: Mapped[list[OrderTimelineRow]] = relationship(order_by="OrderTimelineRow.seq", lazy="raise")


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    __table_args__ = (  # analytics: units and revenue per product, index-only
        Index("ix_order_lines_sold", "order_number", "sku", "quantity", "unit_price_minor"),
    )

    order_number: Mapped[str] = mapped_column(ForeignKey("orders.number"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # units back after delivery


class OrderTimelineRow(Base):
    __tablename__ = "order_timeline"
    __table_args__ = (
        UniqueConstraint("order_number", "seq"),
        Index("ix_order_timeline_new_at", "new", "at", "order_number"),  # analytics: shipped/delivered
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(ForeignKey("orders.number"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    old: Mapped[str | None] = mapped_column(String(24))
    new: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
