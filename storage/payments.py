"""Tables and repositories for payment attempts and processed webhook events.

`SqlAlchemyPaymentAttempts(session)` implements `domain.ports.PaymentAttempts`,
`SqlAlchemyWebhookEvents(session)` implements `domain.ports.ProcessedWebhookEvents`. Both flush, never
commit. Amounts are integer minor units; the success rate is computed in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, Index, Integer, String, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from domain.money import Money
from domain.order_status import PaymentMethod
from domain.payment import AttemptOutcome, PaymentAttempt, PaymentStats
from storage.base import Base, UtcDateTime
from storage.dialect import rowcount

__all__ = ["PaymentAttemptRow", "WebhookEventRow", "SqlAlchemyPaymentAttempts", "SqlAlchemyWebhookEvents"]

_COLLECTED = [outcome.value for outcome in AttemptOutcome if outcome.collected]


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
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SqlAlchemyPaymentAttempts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attempt: PaymentAttempt) -> None:
        row = PaymentAttemptRow()
        row.update_from(attempt)
        self._session.add(row)
        await self._session.flush()
        attempt.id = row.id

    async def save(self, attempt: PaymentAttempt) -> None:
        row = await self._session.get(PaymentAttemptRow, attempt.id)
        if row is None:
            raise LookupError(f"payment attempt {attempt.id} is not stored")
        row.update_from(attempt)
        await self._session.flush()

    async def _first(self, *where: ColumnElement[bool]) -> PaymentAttempt | None:
        query = select(PaymentAttemptRow).where(*where).order_by(PaymentAttemptRow.id.desc()).limit(1)
        row = (await self._session.scalars(query)).first()
        return row.to_domain() if row else None

    async def latest(self, order_number: str) -> PaymentAttempt | None:
        return await self._first(PaymentAttemptRow.order_number == order_number)

    async def find(self, ref: str) -> PaymentAttempt | None:
        if not ref:
            return None
        columns = (PaymentAttemptRow.provider_ref, PaymentAttemptRow.charge_ref, PaymentAttemptRow.refund_ref)
        return await self._first(or_(*(column == ref for column in columns)))

    async def stats(self, since: datetime, until: datetime) -> PaymentStats:
        collected = func.sum(case((PaymentAttemptRow.outcome.in_(_COLLECTED), 1), else_=0))
        query = select(func.count(), collected).where(
            PaymentAttemptRow.created_at >= since, PaymentAttemptRow.created_at < until
        )
        attempted, succeeded = (await self._session.execute(query)).one()
        return PaymentStats(int(attempted or 0), int(succeeded or 0))


class SqlAlchemyWebhookEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, source: str, event_id: str, at: datetime) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING: a concurrent duplicate waits on the key, then sees it taken."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(WebhookEventRow)
            .values(source=source, event_id=event_id, processed_at=at)
            .on_conflict_do_nothing(index_elements=["source", "event_id"])
        )
        result = await self._session.execute(statement)
        return rowcount(result) == 1
