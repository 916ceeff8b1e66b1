"""Tables and repositories for payment attempts and processed webhook events.

`SqlAlchemyPaymentAttempts(session)` implements `domain.ports.PaymentAttempts`,
`SqlAlchemyWebhookEvents(session)` implements `domain.ports.ProcessedWebhookEvents`. Both flush, never
commit. Amounts are integer minor units; the success rate is computed in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.payments.attempts import AttemptOutcome, PaymentAttempt, PaymentStats
from storage.database.dialect import dialect_insert, rowcount
from storage.tables.payments import EarlyRefundRow, PaymentAttemptRow, WebhookEventRow

__all__ = ["SqlAlchemyPaymentAttempts", "SqlAlchemyWebhookEvents", "SqlAlchemyEarlyRefunds"]

_COLLECTED = [outcome.value for outcome in AttemptOutcome if outcome.collected]


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
        insert = dialect_insert(self._session)
        statement = (
            insert(WebhookEventRow)
            .values(source=source, event_id=event_id, processed_at=at)
            .on_conflict_do_nothing(index_elements=["source", "event_id"])
        )
        result = await self._session.execute(statement)
        return rowcount(result) == 1


class SqlAlchemyEarlyRefunds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def keep(self, ref: str, refunded_minor: int | None, at: datetime) -> None:
        row = await self._session.get(EarlyRefundRow, ref)
        if row is None:
            self._session.add(EarlyRefundRow(payment_ref=ref, refunded_minor=refunded_minor, received_at=at))
        elif row.refunded_minor is not None:
            row.refunded_minor = None if refunded_minor is None else max(row.refunded_minor, refunded_minor)
        await self._session.flush()

    async def take(self, ref: str) -> tuple[bool, int | None]:
        row = await self._session.get(EarlyRefundRow, ref)
        if row is None:
            return False, None
        refunded = row.refunded_minor
        await self._session.delete(row)
        await self._session.flush()
        return True, refunded
