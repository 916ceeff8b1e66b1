"""How order statuses and payment methods read to a customer, in their language."""

from __future__ import annotations

from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from handlers.kernel.i18n import N_, translations

__all__ = ["status_label", "method_label", "tracking_url"]

S = OrderStatus
_STATUS = {
    S.PLACED: N_("Placed"),
    S.PAID: N_("Paid"),
    S.ACCEPTED: N_("Accepted"),
    S.PACKED: N_("Packed"),
    S.SHIPPED: N_("Shipped"),
    S.IN_TRANSIT: N_("In transit"),
    S.OUT_FOR_DELIVERY: N_("Out for delivery"),
    S.DELIVERED: N_("Delivered"),
    S.COMPLETED: N_("Completed"),
    S.PAYMENT_EXPIRED: N_("Payment expired"),
    S.CANCELLED: N_("Cancelled"),
    S.REJECTED: N_("Rejected by the shop"),
    S.DELIVERY_EXCEPTION: N_("Delivery problem"),
    S.RETURNED: N_("Returned"),
    S.REFUNDED: N_("Refunded"),
}
_METHOD = {
    PaymentMethod.CASH: N_("Cash on delivery"),
    PaymentMethod.STRIPE: N_("Card (online)"),
    PaymentMethod.TELEGRAM: N_("Pay in Telegram"),
}


def status_label(status: OrderStatus | str, language: str) -> str:
    return translations(language).gettext(_STATUS[OrderStatus(status)])


def method_label(method: PaymentMethod | str, language: str) -> str:
    return translations(language).gettext(_METHOD[PaymentMethod(method)])


_TRACKING_URL = "https://t.17track.net/en#nums={number}"


def tracking_url(order: Order) -> str | None:
    """The public 17TRACK page of the order's parcel, once it has a tracking number."""
    return _TRACKING_URL.format(number=order.tracking_number) if order.tracking_number else None
