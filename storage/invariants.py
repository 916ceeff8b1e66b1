"""Invariant checker: facts about stock and orders that must always hold (`shopbot doctor`).

Each violation is a sentence a merchant or engineer can act on; an empty list means healthy.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog.stock import ReservationState
from storage.tables import OrderLineRow, OrderRow, ReservationRow, StockRow

__all__ = ["find_violations"]

_LIVE = (ReservationState.HELD.value, ReservationState.COMMITTED.value)


async def find_violations(session: AsyncSession) -> list[str]:
    return [
        *await _stock_bounds(session),
        *await _reserved_matches_reservations(session),
        *await _order_totals(session),
    ]


async def _stock_bounds(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        select(StockRow.sku, StockRow.on_hand, StockRow.reserved)
        .where(or_(StockRow.on_hand < 0, StockRow.reserved < 0, StockRow.reserved > StockRow.on_hand))
        .order_by(StockRow.sku)
    )
    problems = []
    for sku, on_hand, reserved in rows:
        if on_hand < 0:
            problems.append(f"stock {sku}: on hand is negative ({on_hand})")
        if reserved < 0:
            problems.append(f"stock {sku}: reserved is negative ({reserved})")
        if reserved > on_hand:
            problems.append(f"stock {sku}: reserved {reserved} exceeds on hand {on_hand}")
    return problems


async def _reserved_matches_reservations(session: AsyncSession) -> list[str]:
    live = (
        select(ReservationRow.sku, func.sum(ReservationRow.quantity).label("held"))
        .where(ReservationRow.state.in_(_LIVE))
        .group_by(ReservationRow.sku)
        .subquery()
    )
    held = func.coalesce(live.c.held, 0)
    rows = await session.execute(
        select(StockRow.sku, StockRow.reserved, held)
        .outerjoin(live, live.c.sku == StockRow.sku)
        .where(StockRow.reserved != held)
        .order_by(StockRow.sku)
    )
    return [
        f"stock {sku}: reserved is {reserved} but live reservations hold {total}"
        for sku, reserved, total in rows
    ]


async def _order_totals(session: AsyncSession) -> list[str]:
    lines = (
        select(
            OrderLineRow.order_number,
            func.sum(OrderLineRow.unit_price_minor * OrderLineRow.quantity).label("subtotal"),
        )
        .group_by(OrderLineRow.order_number)
        .subquery()
    )
    from_lines = func.coalesce(lines.c.subtotal, 0)
    rows = await session.execute(
        select(
            OrderRow.number,
            OrderRow.subtotal_minor,
            OrderRow.shipping_minor,
            OrderRow.total_minor,
            OrderRow.discount_minor,
            from_lines,
            lines.c.order_number,
        )
        .outerjoin(lines, lines.c.order_number == OrderRow.number)
        .where(
            or_(
                OrderRow.subtotal_minor != from_lines,
                OrderRow.total_minor
                != OrderRow.subtotal_minor - OrderRow.discount_minor + OrderRow.shipping_minor,
                lines.c.order_number.is_(None),
            )
        )
        .order_by(OrderRow.number)
    )
    problems = []
    for number, subtotal, shipping, total, discount, computed, with_lines in rows:
        if subtotal != computed:
            problems.append(f"order {number}: stored subtotal {subtotal} but its lines add up to {computed}")
        if total != subtotal - discount + shipping:
            less = f" - discount {discount}" if discount else ""
            problems.append(
                f"order {number}: stored total {total} is not subtotal {subtotal}{less} + shipping {shipping}"
            )
        if with_lines is None:
            problems.append(f"order {number}: has no lines")
    return problems
