"""The order aggregate: line snapshots, totals, status and its timeline."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain.actor import Actor, ActorKind
from domain.clock import require_utc
from domain.customer import Address
from domain.errors import IllegalTransition, InvalidInput
from domain.events import DomainEvent, OrderPlaced, OrderStatusChanged, RefundRecorded
from domain.money import Money
from domain.order_status import OPEN_STATUSES, OrderStatus, PaymentMethod, allowed_targets

__all__ = ["Order", "OrderLine", "Transition", "DeliveryChoice", "new_order_number"]

# Crockford-style alphabet without 0/O, 1/I/L: easy to read aloud and type.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_order_number(rand: secrets.SystemRandom | None = None) -> str:
    """Eight characters such as "K7M-2QXD"; uniqueness is enforced by storage (retry on collision)."""
    pick = (rand or secrets.SystemRandom()).choice
    chars = "".join(pick(_ALPHABET) for _ in range(7))
    return f"{chars[:3]}-{chars[3:]}"


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str  # English, as the catalog named it when the order was placed
    unit_price: Money
    quantity: int
    returned: int = 0  # units that came back after delivery (`Order.record_return`)
    name_zh: str = ""  # the Chinese name then; "": the English name for everyone

    def display_name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def left(self) -> int:
        """Units still with the customer: what can still come back."""
        return self.quantity - self.returned


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    code: str
    label: str  # English: the shop reads it
    fee: Money
    label_zh: str = ""  # what a Chinese-speaking customer reads; "": the English label

    def label_for(self, language: str) -> str:
        return self.label_zh if language == "zh" and self.label_zh else self.label


@dataclass(frozen=True, slots=True)
class Transition:
    at: datetime
    old: OrderStatus | None
    new: OrderStatus
    actor: Actor
    note: str = ""


@dataclass(slots=True)
class Order:
    number: str
    customer_id: int
    lines: list[OrderLine]
    delivery: DeliveryChoice
    payment_method: PaymentMethod
    address: Address | None
    placed_at: datetime
    reserved_until: datetime
    status: OrderStatus = OrderStatus.PLACED
    timeline: list[Transition] = field(default_factory=list)
    paid_at: datetime | None = None
    payment_ref: str | None = None  # Stripe checkout session / Telegram charge id
    provider_charge_id: str | None = None  # what a refund is issued against
    carrier: str | None = None
    tracking_number: str | None = None
    customer_name: str = ""
    customer_phone: str = ""
    merchant_message_id: int | None = None
    delivery_note: str = ""  # the customer's note for delivery ("leave at the door"), MAX_DELIVERY_NOTE
    promo_code: str = ""  # the code applied at checkout, "" for none
    discount_minor: int = 0  # what the code took off the subtotal, in the order's currency
    refunded_minor: int = 0  # given back so far, as the payment provider reports it (minor units)
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def place(
        cls,
        *,
        number: str,
        customer_id: int,
        lines: list[OrderLine],
        delivery: DeliveryChoice,
        payment_method: PaymentMethod,
        address: Address | None,
        now: datetime,
        reservation: timedelta,
        customer_name: str = "",
        customer_phone: str = "",
        promo_code: str = "",
        discount: Money | None = None,
    ) -> Order:
        require_utc(now)
        if not lines:
            raise InvalidInput("an order needs at least one line", "lines")
        currencies = {line.unit_price.currency for line in lines} | {delivery.fee.currency}
        if len(currencies) != 1:
            raise InvalidInput("all prices of an order must share one currency", "currency")
        if any(line.quantity < 1 for line in lines):
            raise InvalidInput("line quantities must be at least 1", "quantity")
        order = cls(
            number=number,
            customer_id=customer_id,
            lines=list(lines),
            delivery=delivery,
            payment_method=payment_method,
            address=address,
            placed_at=now,
            reserved_until=now + reservation,
            customer_name=customer_name,
            customer_phone=customer_phone,
        )
        if discount is not None and discount.amount_minor:
            if not promo_code or discount.currency != order.currency:
                raise InvalidInput("a discount needs its code and the order's currency", "discount")
            if not 0 < discount.amount_minor <= order.subtotal.amount_minor:
                raise InvalidInput("a discount is more than zero and at most the subtotal", "discount")
            order.promo_code, order.discount_minor = promo_code, discount.amount_minor
        order.timeline.append(Transition(now, None, OrderStatus.PLACED, Actor.customer(customer_id)))
        order.events.append(OrderPlaced(number, customer_id))
        return order

    # -- money -----------------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.delivery.fee.currency

    @property
    def subtotal(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    @property
    def shipping_fee(self) -> Money:
        return self.delivery.fee

    @property
    def discount(self) -> Money:
        return Money(self.discount_minor, self.currency)

    @property
    def total(self) -> Money:
        return self.subtotal - self.discount + self.shipping_fee

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_minor, self.currency)

    def record_refunded(self, total_minor: int, actor: Actor) -> bool:
        """`total_minor` is refunded so far (never more than the order's total), as `actor` says (staff
        refunding, the provider reporting); True, with `RefundRecorded`, when that is more than was known."""
        known = min(max(int(total_minor), 0), self.total.amount_minor)
        if known <= self.refunded_minor:
            return False
        self.refunded_minor = known
        self.events.append(RefundRecorded(self.number, str(actor)))
        return True

    def record_return(self, index: int, quantity: int) -> OrderLine:
        """`quantity` units of line `index` came back; never more than are still with the customer."""
        if not 0 <= index < len(self.lines):
            raise InvalidInput(f"order {self.number} has no line {index}", "line")
        line = self.lines[index]
        if not 0 < quantity <= line.left:
            left = f"{line.sku}: {quantity} back, only {line.left} still with the customer"
            raise InvalidInput(left, "quantity")
        self.lines[index] = replace(line, returned=line.returned + quantity)
        return self.lines[index]

    @property
    def all_returned(self) -> bool:
        return all(line.left == 0 for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    # -- status ----------------------------------------------------------------------------------
    @property
    def is_pickup(self) -> bool:
        """Collected at the shop: no address to ship to."""
        return self.address is None

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed(self) -> frozenset[OrderStatus]:
        return allowed_targets(self.status, self.payment_method, paid=self.is_paid, pickup=self.is_pickup)

    def can(self, target: OrderStatus) -> bool:
        return target in self.allowed()

    def transition(self, target: OrderStatus, actor: Actor, now: datetime, note: str = "") -> None:
        require_utc(now)
        if not self.can(target):
            raise IllegalTransition(self.number, self.status, target)
        old = self.status
        self.status = target
        self.timeline.append(Transition(now, old, target, actor, note[:500]))
        if target is OrderStatus.PAID:
            self.paid_at = now
        if target is OrderStatus.DELIVERED and not self.is_paid and actor.kind is ActorKind.STAFF:
            self.paid_at = now  # cash on delivery: staff saw it collected at the door
        self.events.append(OrderStatusChanged(self.number, self.customer_id, old, target, str(actor), note))

    def collect_cash(self, now: datetime) -> None:
        """Cash on delivery: the money reached the shop (a carrier's "delivered" does not say so)."""
        if self.payment_method.prepaid or self.is_paid or self.status not in _CASH_DUE:
            raise IllegalTransition(self.number, self.status, self.status)
        self.paid_at = now

    def mark_paid(self, actor: Actor, now: datetime, payment_ref: str, charge_id: str | None) -> None:
        self.transition(OrderStatus.PAID, actor, now)
        self.payment_ref = payment_ref
        self.provider_charge_id = charge_id

    def ship(self, carrier: str, tracking_number: str, actor: Actor, now: datetime) -> None:
        """`carrier` "" when not known: the tracking provider detects it from the number."""
        carrier, tracking = _shipment(carrier, tracking_number)
        self.transition(OrderStatus.SHIPPED, actor, now, f"{carrier} {tracking}".strip())
        self.carrier = carrier or None
        self.tracking_number = tracking

    def correct_tracking(self, carrier: str, tracking_number: str) -> None:
        """A wrong tracking number typed at shipping, replaced while the parcel travels."""
        if self.status not in _CORRECTABLE:
            raise IllegalTransition(self.number, self.status, self.status)
        carrier, tracking = _shipment(carrier, tracking_number)
        self.carrier = carrier or None
        self.tracking_number = tracking

    def last_change_at(self) -> datetime:
        return self.timeline[-1].at if self.timeline else self.placed_at


_CORRECTABLE = frozenset(
    {
        OrderStatus.SHIPPED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERY_EXCEPTION,
    }
)


_CASH_DUE = _CORRECTABLE | {OrderStatus.DELIVERED, OrderStatus.COMPLETED}


def _shipment(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier = (carrier or "").strip()
    if len(carrier) > 40:
        raise InvalidInput("carrier name must be at most 40 characters", "carrier")
    return carrier, validate_tracking_number(tracking_number)


def validate_tracking_number(raw: str) -> str:
    tracking = (raw or "").strip().upper().replace(" ", "")
    if not (5 <= len(tracking) <= 40) or not tracking.isascii() or not tracking.replace("-", "").isalnum():
        raise InvalidInput("tracking number must be 5-40 letters or digits", "tracking_number")
    return tracking


__all__ += ["validate_tracking_number", "MAX_DELIVERY_NOTE"]

MAX_DELIVERY_NOTE = 500
