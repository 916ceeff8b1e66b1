"""The order state machine: statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OrderStatus", "PaymentMethod", "ALLOWED", "allowed_targets", "OPEN_STATUSES"]


class PaymentMethod(StrEnum):
    STRIPE = "stripe"
    TELEGRAM = "telegram"
    CASH = "cash"  # cash on delivery

    @property
    def prepaid(self) -> bool:
        return self is not PaymentMethod.CASH


class OrderStatus(StrEnum):
    PLACED = "placed"  # awaiting payment (prepaid) or awaiting the merchant (cash on delivery)
    PAID = "paid"
    ACCEPTED = "accepted"
    PACKED = "packed"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    PAYMENT_EXPIRED = "payment_expired"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    DELIVERY_EXCEPTION = "delivery_exception"
    RETURNED = "returned"
    REFUNDED = "refunded"


S = OrderStatus
_IN_FLIGHT = (S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION)

# Transitions open to every order. PLACED's exits depend on the payment method (see allowed_targets).
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.CANCELLED, S.REJECTED}),
    S.PAID: frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED, S.REFUNDED}),
    S.ACCEPTED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    # REFUNDED from a parcel on its way or delivered: the money went back without the goods
    # (a refund in the payment provider's dashboard, a goodwill refund); only for paid orders
    S.SHIPPED: frozenset({*_IN_FLIGHT, S.REFUNDED}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_EXCEPTION, S.REFUNDED}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.DELIVERY_EXCEPTION, S.REFUNDED}),
    # a lost parcel: sent again (SHIPPED, new tracking number) or refunded without coming back
    S.DELIVERY_EXCEPTION: frozenset(
        {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED, S.SHIPPED, S.REFUNDED}
    ),
    S.DELIVERED: frozenset({S.COMPLETED, S.RETURNED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.RETURNED, S.REFUNDED}),
    S.RETURNED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REJECTED: frozenset({S.REFUNDED}),
    S.PAYMENT_EXPIRED: frozenset(),
    S.REFUNDED: frozenset(),
}

_PLACED_PREPAID = frozenset({S.PAID, S.PAYMENT_EXPIRED, S.CANCELLED})
_PLACED_CASH = frozenset({S.ACCEPTED, S.REJECTED, S.CANCELLED})
_EXPIRED_PREPAID = frozenset({S.PAID})  # a late payment, accepted when stock can be re-held

OPEN_STATUSES = frozenset(
    {
        S.PLACED,
        S.PAID,
        S.ACCEPTED,
        S.PACKED,
        S.SHIPPED,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_EXCEPTION,
    }
)


# Ready at the shop: handed over (DELIVERED), or sent after all when the customer asks for it.
_PACKED_PICKUP = ALLOWED[S.PACKED] | {S.DELIVERED}


def allowed_targets(
    status: OrderStatus, method: PaymentMethod, *, paid: bool = False, pickup: bool = False
) -> frozenset[OrderStatus]:
    """Statuses reachable from `status` for an order paid by `method` (`paid`: money was received;
    `pickup`: collected at the shop, so a packed order is handed over instead of shipped)."""
    if status is S.PLACED:
        return _PLACED_PREPAID if method.prepaid else _PLACED_CASH
    if status is S.PAYMENT_EXPIRED:
        return _EXPIRED_PREPAID if method.prepaid else frozenset()
    targets = _PACKED_PICKUP if pickup and status is S.PACKED else ALLOWED[status]
    if S.REFUNDED in targets and not paid:
        targets = targets - {S.REFUNDED}
    return targets
