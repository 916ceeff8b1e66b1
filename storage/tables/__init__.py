"""Every row class of the shop, one module per concept; importing this package registers every table on
`Base.metadata` (what storage/migrations/env.py relies on). Repositories elsewhere in storage/ map these rows
to domain objects."""

from __future__ import annotations

from storage.tables.catalog import CategoryRow, ProductRow
from storage.tables.customers import CartRow, CustomerRow
from storage.tables.funnel import FunnelEventRow
from storage.tables.inbox import InboxRow
from storage.tables.messaging import DialogRow, OutboxRow, ProcessedUpdateRow
from storage.tables.orders import OrderLineRow, OrderRow, OrderTimelineRow
from storage.tables.payments import PaymentAttemptRow, WebhookEventRow
from storage.tables.promos import PromoCodeRow, PromoUseRow
from storage.tables.refunds import RefundRow
from storage.tables.shipments import ShipmentRow
from storage.tables.stock import ReservationRow, StockAuditRow, StockRow

__all__ = [
    "CategoryRow",
    "ProductRow",
    "StockRow",
    "ReservationRow",
    "StockAuditRow",
    "CustomerRow",
    "CartRow",
    "OrderRow",
    "OrderLineRow",
    "OrderTimelineRow",
    "OutboxRow",
    "ProcessedUpdateRow",
    "DialogRow",
    "PaymentAttemptRow",
    "WebhookEventRow",
    "FunnelEventRow",
    "PromoCodeRow",
    "PromoUseRow",
    "InboxRow",
    "ShipmentRow",
    "RefundRow",
]
