"""The orders placed in a report window as export rows: two queries (orders, then their lines)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.analytics import OrderExportRow, ReportWindow
from domain.money import Money
from domain.order_status import OrderStatus
from storage.tables import OrderLineRow, OrderRow, OrderTimelineRow

__all__ = ["order_rows"]

O, L, T = OrderRow.__table__.c, OrderLineRow.__table__.c, OrderTimelineRow.__table__.c


async def order_rows(conn: AsyncConnection, window: ReportWindow) -> list[OrderExportRow]:
    placed = (O.placed_at >= window.start) & (O.placed_at < window.end)
    shipped_at = (
        select(func.min(T.at))
        .where(T.order_number == O.number, T.new == OrderStatus.SHIPPED.value)
        .scalar_subquery()
    )
    orders = select(
        O.number,
        O.placed_at,
        O.paid_at,
        shipped_at.label("shipped_at"),
        O.status,
        O.customer_id,
        O.currency,
        O.subtotal_minor,
        O.shipping_minor,
        O.total_minor,
        O.payment_method,
        O.payment_ref,
        O.carrier,
        O.tracking_number,
    ).where(placed)
    lines = (
        select(L.order_number, L.sku, L.quantity)
        .select_from(OrderLineRow.__table__.join(OrderRow.__table__, O.number == L.order_number))
        .where(placed)
        .order_by(L.order_number, L.position)
    )
    items: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for number, sku, quantity in await conn.execute(lines):
        items[number].append((sku, quantity))
    rows = []
    for row in await conn.execute(orders.order_by(O.placed_at, O.number)):
        rows.append(
            OrderExportRow(
                number=row.number,
                placed_at=row.placed_at,
                paid_at=row.paid_at,
                shipped_at=row.shipped_at,
                status=OrderStatus(row.status),
                customer_id=row.customer_id,
                items=tuple(items[row.number]),
                subtotal=Money(row.subtotal_minor, row.currency),
                shipping=Money(row.shipping_minor, row.currency),
                total=Money(row.total_minor, row.currency),
                payment_method=row.payment_method,
                payment_ref=row.payment_ref or "",
                carrier=row.carrier or "",
                tracking_number=row.tracking_number or "",
            )
        )
    return rows
