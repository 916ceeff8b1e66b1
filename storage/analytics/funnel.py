"""`SqlAlchemyFunnelEvents`: records funnel steps in the caller's unit of work (flushes, never commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import FunnelStep
from domain.clock import require_utc
from storage.tables.funnel import FunnelEventRow

__all__ = ["SqlAlchemyFunnelEvents"]


class SqlAlchemyFunnelEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, step: FunnelStep, customer_id: int, at: datetime) -> None:
        values = {"step": FunnelStep(step).value, "customer_id": customer_id, "at": require_utc(at)}
        await self._session.execute(insert(FunnelEventRow).values(**values))
