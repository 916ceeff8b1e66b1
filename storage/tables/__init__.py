"""Table models, one module per concept; importing this package registers every table on `Base.metadata`
(the payment tables live with their repositories in `storage.payments`)."""

from __future__ import annotations

from storage.payments import PaymentAttemptRow, WebhookEventRow
from storage.tables.catalog import CategoryRow, ProductChangeRow, ProductRow
from storage.tables.conversations import ShopMessageRow
from storage.tables.customers import CartRow, CustomerRow
from storage.tables.funnel import FunnelEventRow
from storage.tables.messaging import DialogRow, OutboxRow, ProcessedUpdateRow
from storage.tables.orders import OrderLineRow, OrderRow, OrderTimelineRow
from storage.tables.stock import ReservationRow, StockAuditRow, StockRow

__all__ = [
    "CategoryRow",
    "ProductRow",
    "ProductChangeRow",
    "ShopMessageRow",
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
]
