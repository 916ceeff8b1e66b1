"""Domain events: past-tense facts recorded by domain objects, turned into outbox messages at the edge."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DomainEvent",
    "OrderPlaced",
    "OrderStatusChanged",
    "StockLow",
    "OrderMessageAdded",
    "RefundFailed",
    "RefundRecorded",
]


class DomainEvent:
    """Marker base class."""


@dataclass(frozen=True, slots=True)
class OrderPlaced(DomainEvent):
    order_number: str
    customer_id: int


@dataclass(frozen=True, slots=True)
class OrderStatusChanged(DomainEvent):
    order_number: str
    customer_id: int
    old: str
    new: str
    actor: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class StockLow(DomainEvent):
    sku: str
    available: int
    safety: int


@dataclass(frozen=True, slots=True)
class OrderMessageAdded(DomainEvent):
    """The customer or the shop wrote about an order: its merchant card's message count changed."""

    order_number: str


@dataclass(frozen=True, slots=True)
class RefundFailed(DomainEvent):
    """The payment provider will not make a refund owed on an order (it refused for good, or kept failing):
    staff refund it by hand, and the order's merchant card says so with its ✅."""

    order_number: str


@dataclass(frozen=True, slots=True)
class RefundRecorded(DomainEvent):
    """More of an order's money is known to have gone back (staff refunded part of it, or the payment
    provider reported a refund): its merchant card's "Refunded so far" line changed."""

    order_number: str
    actor: str
