"""`SqlAlchemyStocks`: stock levels moved by single conditional UPDATEs, never read-check-write in Python.

Reserving runs, per line in sku order (a fixed lock order, so two checkouts cannot deadlock),
`UPDATE stock SET reserved = reserved + :q WHERE sku = :s AND on_hand - reserved >= :q` and checks that
one row matched. Commit/release/ship first move the order's live reservation rows to their new state with
`UPDATE ... RETURNING`, so two jobs releasing the same order cannot both give the units back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.catalog.stock import ReservationState, StockLevel, validate_quantity
from domain.errors import ConcurrentUpdate, InvalidInput, OutOfStock
from domain.events import DomainEvent
from domain.ports import StockAudit
from storage.database.dialect import RowsRider, rowcount
from storage.database.prepared import Prepared
from storage.tables import ReservationRow, StockAuditRow, StockRow

__all__ = ["SqlAlchemyStocks", "STOCK_COLUMNS", "stock_level"]

_LIVE = (ReservationState.HELD.value, ReservationState.COMMITTED.value)
# a level's columns, in `StockLevel`'s order
STOCK_COLUMNS = (StockRow.sku, StockRow.on_hand, StockRow.reserved, StockRow.safety, StockRow.low_alert_armed)
_HOLD = RowsRider(ReservationRow.__table__, ["order_number", "sku", "quantity", "expires_at", "state"])
_BY_SKU = Prepared(select(*STOCK_COLUMNS).where(StockRow.sku == bindparam("sku")))


def stock_level(row: Row[Any], prefix: str = "") -> StockLevel:
    """The level in a row of `STOCK_COLUMNS`, each labelled `prefix` + its name (read along another
    table's columns, which may share a name)."""
    return StockLevel(*(getattr(row, prefix + column.key) for column in STOCK_COLUMNS))


def _down_by(column: InstrumentedAttribute[int], qty: int) -> ColumnElement[int]:
    """`column - qty`, floored at zero (the domain's `max(x - qty, 0)`)."""
    return case((column >= qty, column - qty), else_=0)


class SqlAlchemyStocks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._loaded_on_hand: dict[str, int] = {}

    # -- reading and manual edits ------------------------------------------------------------------
    async def get(self, sku: str) -> StockLevel | None:
        row = await _BY_SKU.first(self.session, {"sku": sku})
        if row is None:
            return None
        self._loaded_on_hand[sku] = row.on_hand
        return stock_level(row)

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockLevel]:
        rows = await self.session.execute(select(*STOCK_COLUMNS).where(StockRow.sku.in_(list(skus))))
        levels = {row.sku: stock_level(row) for row in rows}
        self._loaded_on_hand.update({sku: level.on_hand for sku, level in levels.items()})
        return levels

    async def add(self, level: StockLevel) -> None:
        await self.session.execute(
            insert(StockRow).values(
                sku=level.sku,
                on_hand=level.on_hand,
                reserved=level.reserved,
                safety=level.safety,
                low_alert_armed=level.low_alert_armed,
            )
        )

    async def save(self, level: StockLevel, audit: StockAudit) -> None:
        """Persist on hand, safety stock and the alert flag of a level got from `get` (never `reserved`,
        which only reservations move). Refuses when on hand would drop below what orders reserved, or
        when someone else changed on hand since `get` (their restock must not be overwritten)."""
        loaded = self._loaded_on_hand.get(level.sku)
        if loaded is None:
            raise ValueError(f"stock level {level.sku} was not read in this unit of work; get it first")
        result = await self.session.execute(
            update(StockRow)
            .where(StockRow.sku == level.sku, StockRow.on_hand == loaded, StockRow.reserved <= level.on_hand)
            .values(on_hand=level.on_hand, safety=level.safety, low_alert_armed=level.low_alert_armed)
        )
        if rowcount(result) != 1:
            current = await self.session.scalar(select(StockRow.reserved).where(StockRow.sku == level.sku))
            if current is not None and current > level.on_hand:
                raise InvalidInput(
                    f"{level.sku}: {current} units are reserved by orders; on hand cannot go below that",
                    "quantity",
                )
            raise ConcurrentUpdate(f"stock of {level.sku} was changed by someone else; reload and retry")
        self._loaded_on_hand[level.sku] = level.on_hand
        self.session.add(
            StockAuditRow(sku=audit.sku, actor=str(audit.actor), at=audit.at, change=audit.change)
        )

    async def list_levels(self, *, offset: int = 0, limit: int = 20) -> tuple[list[StockLevel], int]:
        """Low-stock first, then by sku."""
        is_low = case((StockRow.on_hand - StockRow.reserved < StockRow.safety, 0), else_=1)
        total = await self.session.scalar(select(func.count()).select_from(StockRow))
        rows = await self.session.execute(
            select(*STOCK_COLUMNS).order_by(is_low, StockRow.sku).offset(offset).limit(limit)
        )
        return [stock_level(row) for row in rows], total or 0

    # -- reservations ------------------------------------------------------------------------------
    async def reserve(
        self, order_number: str, lines: Sequence[tuple[str, int]], expires_at: datetime
    ) -> list[DomainEvent]:
        """Hold every line or none: raises `OutOfStock` for the first line that does not fit, leaving
        the caller's unit of work to roll back the lines already held."""
        events: list[DomainEvent] = []
        held: list[dict[str, Any]] = []
        for sku, qty in sorted(lines):
            validate_quantity(qty, allow_zero=False)
            row = (
                await self.session.execute(
                    update(StockRow)
                    .where(StockRow.sku == sku, StockRow.on_hand - StockRow.reserved >= qty)
                    .values(reserved=StockRow.reserved + qty)
                    .returning(*STOCK_COLUMNS)
                )
            ).first()
            if row is None:
                available = await self.session.scalar(
                    select(StockRow.on_hand - StockRow.reserved).where(StockRow.sku == sku)
                )
                raise OutOfStock(sku, qty, max(available or 0, 0))
            held.append(
                {
                    "order_number": order_number,
                    "sku": sku,
                    "quantity": qty,
                    "expires_at": expires_at,
                    "state": ReservationState.HELD.value,
                }
            )
            events += await self._apply_low_rule(row)
        if not await _HOLD.ride(self.session, held):  # with the turn's last statement (PostgreSQL)
            await self.session.execute(insert(ReservationRow), held)
        return events

    async def commit(self, order_number: str) -> None:
        await self.session.execute(
            update(ReservationRow)
            .where(ReservationRow.order_number == order_number, ReservationRow.state == ReservationState.HELD)
            .values(state=ReservationState.COMMITTED.value)
        )

    async def release(self, order_number: str) -> None:
        for sku, qty in await self._settle(order_number, ReservationState.RELEASED):
            await self._move(sku, reserved=_down_by(StockRow.reserved, qty))

    async def ship(self, order_number: str) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for sku, qty in await self._settle(order_number, ReservationState.SHIPPED):
            events += await self._move(
                sku, reserved=_down_by(StockRow.reserved, qty), on_hand=_down_by(StockRow.on_hand, qty)
            )
        return events

    async def _settle(self, order_number: str, state: ReservationState) -> list[tuple[str, int]]:
        """Move the order's live reservations to `state`; the (sku, quantity) moved, in sku order."""
        await self.session.flush()
        rows = await self.session.execute(
            update(ReservationRow)
            .where(ReservationRow.order_number == order_number, ReservationRow.state.in_(_LIVE))
            .values(state=state.value)
            .returning(ReservationRow.sku, ReservationRow.quantity)
        )
        totals: dict[str, int] = {}
        for sku, qty in rows:
            totals[sku] = totals.get(sku, 0) + qty
        return sorted(totals.items())

    async def _move(self, sku: str, **values: object) -> list[DomainEvent]:
        row = (
            await self.session.execute(
                update(StockRow).where(StockRow.sku == sku).values(**values).returning(*STOCK_COLUMNS)
            )
        ).one()
        return await self._apply_low_rule(row)

    async def _apply_low_rule(self, row: Row[Any]) -> list[DomainEvent]:
        """Run the domain's once-per-dip low-stock rule on a row this transaction has locked."""
        level = stock_level(row)
        armed = level.low_alert_armed
        level.check_low()
        if level.low_alert_armed != armed:
            await self.session.execute(
                update(StockRow)
                .where(StockRow.sku == level.sku)
                .values(low_alert_armed=level.low_alert_armed)
            )
        return list(level.events)
