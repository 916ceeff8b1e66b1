"""Ports: what the domain needs from the outside, as small Protocols.

`storage/` implements the repositories and the unit of work; `bot/` implements gateways and the clock.
"""

from domain.clock import Clock
from domain.ports.gateways import CarrierTracking, CheckoutLink, Notifier, PaymentGateway, TrackingStatus
from domain.ports.repositories import (
    Carts,
    Categories,
    Customers,
    Dialogs,
    FunnelEvents,
    Orders,
    Outbox,
    PaymentAttempts,
    ProcessedUpdates,
    ProcessedWebhookEvents,
    Products,
    StockAudit,
    Stocks,
)
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.ports.work_queues import (
    Inbox,
    InboxUpdate,
    OutboxQueue,
    Shipment,
    Shipments,
    ShopFigures,
    StaleCart,
    StaleCarts,
)

__all__ = [
    "Clock",
    "CheckoutLink",
    "PaymentGateway",
    "TrackingStatus",
    "CarrierTracking",
    "Notifier",
    "Categories",
    "Products",
    "StockAudit",
    "Stocks",
    "Customers",
    "Carts",
    "Orders",
    "Outbox",
    "ProcessedUpdates",
    "PaymentAttempts",
    "ProcessedWebhookEvents",
    "Dialogs",
    "FunnelEvents",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "OutboxQueue",
    "Shipment",
    "Shipments",
    "StaleCart",
    "StaleCarts",
    "ShopFigures",
    "InboxUpdate",
    "Inbox",
]
