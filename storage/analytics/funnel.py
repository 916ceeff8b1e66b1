"""`SqlAlchemyFunnelEvents`: records funnel steps in the caller's unit of work (flushes, never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import FunnelStep
from domain.clock import require_utc
from storage.database.dialect import insert_rider
from storage.database.prepared import Prepared
from storage.tables.funnel import FunnelEventRow

__all__ = ["SqlAlchemyFunnelEvents"]

_RECORD = Prepared(  # a step of a browsing customer's turn
    insert(FunnelEventRow).values(
        step=bindparam("step"), customer_id=bindparam("customer_id"), at=bindparam("at")
    )
)

_RECORD_ALONG = insert_rider(FunnelEventRow.__table__, ["step", "customer_id", "at"])


class SqlAlchemyFunnelEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, step: FunnelStep, customer_id: int, at: datetime) -> None:
        values = {"step": FunnelStep(step).value, "customer_id": customer_id, "at": require_utc(at)}
        if not await _RECORD_ALONG.ride(self._session, values):
            await _RECORD.run(self._session, values)
