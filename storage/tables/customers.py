"""Customers (with their saved addresses as JSON) and carts (lines as an ordered JSON list, with the last
change and the last reminder of an abandoned cart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import Json

__all__ = ["CustomerRow", "CartRow"]


class CustomerRow(Base):
    __tablename__ = "customers"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    phone: Mapped[str | None] = mapped_column(String(20))
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    cart_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    last_recipient: Mapped[str] = mapped_column(String(100), default="", server_default="")
    last_delivery: Mapped[str] = mapped_column(String(40), default="", server_default="")


class CartRow(Base):
    __tablename__ = "carts"

    customer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lines: Mapped[list[list[Any]]] = mapped_column(Json, default=list)  # [[sku, quantity], ...] in order
    item_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # units in `lines`
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # last save; None: before it was kept
    reminded_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime
    )  # claimed for an abandoned-cart reminder

    __table_args__ = (Index("ix_carts_updated_at", "updated_at"),)
