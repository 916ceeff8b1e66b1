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

ORDER, LINE, STEP = OrderRow.__table__.c, OrderLineRow.__table__.c, OrderTimelineRow.__table__.c


async def order_rows(conn: AsyncConnection, window: ReportWindow) -> list[OrderExportRow]:
    placed = (ORDER.placed_at >= window.start) & (ORDER.placed_at < window.end)
    shipped_at = (
        select(func.min(STEP.at))
        .where(STEP.order_number == ORDER.number, STEP.new == OrderStatus.SHIPPED.value)
        .scalar_subquery()
    )
    orders = select(
        ORDER.number,
        ORDER.placed_at,
        ORDER.paid_at,
        shipped_at.label("shipped_at"),
        ORDER.status,
        ORDER.customer_id,
        ORDER.currency,
        ORDER.subtotal_minor,
        ORDER.shipping_minor,
        ORDER.total_minor,
        ORDER.payment_method,
        ORDER.payment_ref,
        ORDER.carrier,
        ORDER.tracking_number,
        ORDER.discount_minor,
        ORDER.promo_code,
    ).where(placed)
    lines = (
        select(LINE.order_number, LINE.sku, LINE.quantity)
        .select_from(OrderLineRow.__table__.join(OrderRow.__table__, ORDER.number == LINE.order_number))
        .where(placed)
        .order_by(LINE.order_number, LINE.position)
    )
    items: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for number, sku, quantity in await conn.execute(lines):
        items[number].append((sku, quantity))
    rows = []
    for row in await conn.execute(orders.order_by(ORDER.placed_at, ORDER.number)):
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
                discount=Money(row.discount_minor, row.currency) if row.discount_minor else None,
                promo_code=row.promo_code or "",
            )
        )
    return rows
