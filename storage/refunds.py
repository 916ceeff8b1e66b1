"""`SqlAlchemyRefunds`: refunds owed, recorded in the caller's transaction (see `domain.payments.refunds`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.money import Money
from domain.payments.refunds import PendingRefund, RefundNotice, RefundState
from storage.database.dialect import insert_returning
from storage.tables.refunds import RefundRow

__all__ = ["SqlAlchemyRefunds"]


def _refund(row: RefundRow) -> PendingRefund:
    return PendingRefund(
        order_number=row.order_number,
        charge_ref=row.charge_ref,
        amount=Money(row.amount_minor, row.currency),
        created_at=row.created_at,
        id=row.id,
        state=RefundState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        refund_ref=row.refund_ref,
        last_error=row.last_error,
        key=row.key,
        notice=RefundNotice(row.notice),
    )


class SqlAlchemyRefunds:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, refund: PendingRefund) -> bool:
        """Record it and set `refund.id`; False when a refund with its idempotency key is there."""
        values = {
            "order_number": refund.order_number,
            "charge_ref": refund.charge_ref,
            "amount_minor": refund.amount.amount_minor,
            "currency": refund.amount.currency,
            "state": str(refund.state),
            "attempts": refund.attempts,
            "next_attempt_at": refund.next_attempt_at,
            "last_error": refund.last_error,
            "created_at": refund.created_at,
            "key": refund.key,
            "notice": str(refund.notice),
        }
        new_id = await insert_returning(
            self.session, RefundRow.__table__, values, ["key"], RefundRow.__table__.c.id
        )
        if new_id is None:
            return False
        refund.id = new_id
        return True

    async def get(self, refund_id: int) -> PendingRefund | None:
        row = await self.session.get(RefundRow, refund_id)
        return _refund(row) if row is not None else None

    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingRefund]:
        stmt = (
            select(RefundRow)
            .where(
                RefundRow.state == RefundState.PENDING.value,
                or_(RefundRow.next_attempt_at.is_(None), RefundRow.next_attempt_at <= now),
            )
            .order_by(RefundRow.id)
            .limit(limit)
        )
        return [_refund(row) for row in (await self.session.scalars(stmt)).all()]

    async def for_order(self, order_number: str) -> list[PendingRefund]:
        stmt = select(RefundRow).where(RefundRow.order_number == order_number).order_by(RefundRow.id)
        return [_refund(row) for row in (await self.session.scalars(stmt)).all()]

    async def save(self, refund: PendingRefund) -> None:
        stmt = (
            update(RefundRow)
            .where(RefundRow.id == refund.id)
            .values(
                state=str(refund.state),
                attempts=refund.attempts,
                next_attempt_at=refund.next_attempt_at,
                refund_ref=refund.refund_ref,
                last_error=refund.last_error[:500],
            )
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)
