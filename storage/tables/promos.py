"""Promo codes and their uses (one row per order that applied a code; `state` says whether it counts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.database.base import Base, UtcDateTime
from storage.tables.types import BigId, Json

__all__ = ["PromoCodeRow", "PromoUseRow"]


class PromoCodeRow(Base):
    __tablename__ = "promo_codes"
    __table_args__ = (CheckConstraint("uses >= 0", name="ck_promo_codes_uses_not_negative"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    min_subtotal_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    per_customer: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[dict[str, Any]] = mapped_column(Json)  # {"skus": [...], "categories": [...]}
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PromoUseRow(Base):
    __tablename__ = "promo_uses"
    __table_args__ = (Index("ix_promo_uses_code_customer", "code", "customer_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20))
    order_number: Mapped[str] = mapped_column(String(16), unique=True)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))  # "used" counts; "returned" was given back
    at: Mapped[datetime] = mapped_column(UtcDateTime)
