"""How order statuses and payment methods read to a customer, in their language."""

from __future__ import annotations

from collections.abc import Callable

from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from handlers.kernel.i18n import N_, translations
from handlers.kernel.money_text import money_text

__all__ = ["status_label", "method_label", "discount_text", "tracking_url"]

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


_COLLECTED = N_("Collected")  # a pickup order handed over at the shop: "delivered" to no door


def status_label(status: OrderStatus | str, language: str, *, pickup: bool = False) -> str:
    status = OrderStatus(status)
    label = _COLLECTED if pickup and status is S.DELIVERED else _STATUS[status]
    return translations(language).gettext(label)


_CASH_AT_PICKUP = N_("Cash at pickup")


def method_label(method: PaymentMethod | str, language: str, *, pickup: bool = False) -> str:
    """How a way to pay reads; cash for an order collected at the shop is not "on delivery"."""
    method = PaymentMethod(method)
    label = _CASH_AT_PICKUP if pickup and method is PaymentMethod.CASH else _METHOD[method]
    return translations(language).gettext(label)


def discount_text(order: Order, _: Callable[[str], str], language: str = "en") -> str:
    """The discount line of an order placed with a promo code (receipts, cards, order views)."""
    amount = money_text(order.discount, language)
    return _("Discount ({code}): −{amount}").format(code=order.promo_code, amount=amount)


_TRACKING_URL = "https://t.17track.net/{page}#nums={number}"
_TRACKING_PAGES = {"en": "en", "zh": "zh-cn"}  # 17TRACK's page in the customer's language


def tracking_url(order: Order, language: str = "en") -> str | None:
    """The public 17TRACK page of the order's parcel, in the customer's language, once it has a tracking
    number."""
    if not order.tracking_number:
        return None
    return _TRACKING_URL.format(page=_TRACKING_PAGES.get(language, "en"), number=order.tracking_number)
