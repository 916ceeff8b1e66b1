"""Messages between customers and the shop (and staff's internal order notes), one row each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId

__all__ = ["ShopMessageRow"]


class ShopMessageRow(Base):
    __tablename__ = "shop_messages"
    __table_args__ = (
        Index("ix_shop_messages_customer_id_at", "customer_id", "at"),
        Index("ix_shop_messages_order_number", "order_number"),
        Index("ix_shop_messages_merchant_message_id", "merchant_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    order_number: Mapped[str | None] = mapped_column(String(16))
    photo: Mapped[str | None] = mapped_column(String(300))
    staff_id: Mapped[int | None] = mapped_column(BigInteger)
    merchant_message_id: Mapped[int | None] = mapped_column(BigInteger)
