"""Payment attempts (one per checkout try, with its outcome) and the webhook events already processed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.money import Money
from domain.order_status import PaymentMethod
from domain.payments.attempts import AttemptOutcome, PaymentAttempt
from storage.database.base import Base, UtcDateTime

__all__ = ["PaymentAttemptRow", "WebhookEventRow", "EarlyRefundRow"]


class PaymentAttemptRow(Base):
    __tablename__ = "payment_attempts"
    # analytics: the payment success rate of a period, index-only
    __table_args__ = (Index("ix_payment_attempts_created_at_outcome", "created_at", "outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(String(16), index=True)
    method: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    provider_ref: Mapped[str] = mapped_column(String(255), index=True, default="")
    charge_ref: Mapped[str] = mapped_column(String(255), index=True, default="")
    refund_ref: Mapped[str] = mapped_column(String(255), index=True, default="")
    note: Mapped[str] = mapped_column(String(200), default="")

    def to_domain(self) -> PaymentAttempt:
        return PaymentAttempt(
            order_number=self.order_number,
            method=PaymentMethod(self.method),
            amount=Money(self.amount_minor, self.currency),
            created_at=self.created_at,
            provider_ref=self.provider_ref,
            charge_ref=self.charge_ref,
            refund_ref=self.refund_ref,
            outcome=AttemptOutcome(self.outcome),
            settled_at=self.settled_at,
            note=self.note,
            id=self.id,
        )

    def update_from(self, attempt: PaymentAttempt) -> None:
        self.order_number = attempt.order_number
        self.method = attempt.method.value
        self.amount_minor = attempt.amount.amount_minor
        self.currency = attempt.amount.currency
        self.created_at = attempt.created_at
        self.outcome = attempt.outcome.value
        self.settled_at = attempt.settled_at
        self.provider_ref = attempt.provider_ref
        self.charge_ref = attempt.charge_ref
        self.refund_ref = attempt.refund_ref
        self.note = attempt.note


class WebhookEventRow(Base):
    __tablename__ = "processed_webhook_events"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # "stripe", "telegram"
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)  # pruned by age


class EarlyRefundRow(Base):
    """A refund reported before its payment (webhooks arrive in any order); taken when the payment lands."""

    __tablename__ = "early_refunds"

    payment_ref: Mapped[str] = mapped_column(String(255), primary_key=True)
    refunded_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: all of it
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
