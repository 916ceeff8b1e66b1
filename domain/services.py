"""Use cases over the ports: place an order from a cart, and move an order with its stock effects.

Callers open the unit of work, call one of these, turn `uow`-collected events into outbox messages and
commit once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from domain.actor import Actor
from domain.catalog.products import Product
from domain.customer import Address
from domain.errors import InvalidInput, NotAllowed, NotFound, OrderNumberTaken
from domain.events import DomainEvent
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine, new_order_number
from domain.order_status import OrderStatus, PaymentMethod
from domain.ports import UnitOfWork, UnitOfWorkFactory
from domain.promo import PromoCode, PromoLine, PromoRefused, Refusal

__all__ = ["place_order", "change_status", "order_for_customer", "retry_on_taken_number", "quote_promo"]

T = TypeVar("T")
NUMBER_ATTEMPTS = 5

_RELEASES = {OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.PAYMENT_EXPIRED}


async def place_order(
    uow: UnitOfWork,
    *,
    customer_id: int,
    delivery: DeliveryChoice,
    payment_method: PaymentMethod,
    address: Address | None,
    now: datetime,
    reservation: timedelta,
    customer_name: str = "",
    customer_phone: str = "",
    number_factory: Callable[[], str] = new_order_number,
    delivery_note: str = "",
    promo_code: str = "",
) -> tuple[Order, list[DomainEvent]]:
    """Snapshot the cart into an order, reserve its stock atomically, claim a use of `promo_code`, empty
    the cart.

    Raises `OutOfStock` (nothing reserved), `PromoRefused` (the code no longer applies: its last use went
    to someone else, it ended...) or `InvalidInput` (empty cart, inactive product).
    """
    cart = await uow.carts.get(customer_id)
    if cart.is_empty:
        raise InvalidInput("the cart is empty", "cart")
    lines: list[OrderLine] = []
    products: list[tuple[Product, int]] = []
    for sku, qty in cart.lines.items():
        product = await uow.products.get(sku)
        if product is None or not product.active:
            raise InvalidInput(f"{sku} is no longer sold", "cart")
        lines.append(OrderLine(sku, product.name, product.price, qty, name_zh=product.name_zh))
        products.append((product, qty))
    promo, discount = (
        await quote_promo(uow, promo_code, customer_id, products, now) if promo_code else (None, None)
    )
    order = Order.place(
        number=number_factory(),
        customer_id=customer_id,
        lines=lines,
        delivery=delivery,
        payment_method=payment_method,
        address=address,
        now=now,
        reservation=reservation,
        customer_name=customer_name,
        customer_phone=customer_phone,
        promo_code=promo.code if promo else "",
        discount=discount,
    )
    events = await uow.stocks.reserve(
        order.number, [(line.sku, line.quantity) for line in lines], order.reserved_until
    )
    order.delivery_note = delivery_note
    await uow.orders.add(order)
    if promo is not None and discount is not None:
        await uow.promos.claim(promo, order.number, customer_id, discount, now)
    cart.clear()
    await uow.carts.save(cart, now=now)
    return order, [*order.events, *events]


async def change_status(
    uow: UnitOfWork,
    order: Order,
    target: OrderStatus,
    actor: Actor,
    now: datetime,
    note: str = "",
    *,
    shipment: tuple[str, str] | None = None,
) -> list[DomainEvent]:
    """Apply one transition and its stock rule; returns the events it recorded.

    `shipment` is (carrier, tracking number) for SHIPPED: validated and recorded by `Order.ship`.
    """
    before = len(order.events)
    previous = order.status
    stock_events: list[DomainEvent] = []
    if previous is OrderStatus.PAYMENT_EXPIRED and target is OrderStatus.PAID:
        # A late payment: hold the stock again first (it may dip below safety: StockLow); OutOfStock
        # propagates to the caller.
        lines = [(line.sku, line.quantity) for line in order.lines]
        stock_events = await uow.stocks.reserve(order.number, lines, now)
        if order.promo_code:
            await uow.promos.take_again(order.number)
    if target is OrderStatus.SHIPPED and shipment is not None:
        order.ship(*shipment, actor, now)
    else:
        order.transition(target, actor, now, note)
    if target is OrderStatus.PAID or (target is OrderStatus.ACCEPTED and previous is OrderStatus.PLACED):
        await uow.stocks.commit(order.number)
    elif target is OrderStatus.SHIPPED or (
        target is OrderStatus.DELIVERED and previous is OrderStatus.PACKED
    ):
        stock_events += await uow.stocks.ship(order.number)  # left the shop: by carrier, or collected
    elif target in _RELEASES and previous in (
        OrderStatus.PLACED,
        OrderStatus.PAID,
        OrderStatus.ACCEPTED,
        OrderStatus.PACKED,
    ):
        await uow.stocks.release(order.number)
    if target in _RELEASES and previous is OrderStatus.PLACED and order.promo_code:
        await uow.promos.give_back(order.number)  # ended before payment: the code's use comes back
    await uow.orders.save(order)
    return [*order.events[before:], *stock_events]


async def quote_promo(
    uow: UnitOfWork, code: str, customer_id: int, lines: list[tuple[Product, int]], now: datetime
) -> tuple[PromoCode, Money]:
    """The code and what it takes off these cart lines now, or `PromoRefused` saying why not."""
    promo = await uow.promos.get(code)
    if promo is None:
        raise PromoRefused(code, Refusal.UNKNOWN)
    uses = await uow.promos.uses_by(promo.code, customer_id) if promo.per_customer is not None else 0
    promo_lines = [PromoLine(p.sku, p.category, p.price * qty) for p, qty in lines]
    return promo, promo.discount(promo_lines, now, customer_uses=uses)


async def order_for_customer(uow: UnitOfWork, number: str, customer_id: int) -> Order:
    """The order, only when it belongs to this customer (a forged button cannot read another's)."""
    order = await uow.orders.get(number)
    if order is None:
        raise NotFound(f"order {number} not found")
    if order.customer_id != customer_id:
        raise NotAllowed("this order belongs to someone else")
    return order


async def retry_on_taken_number(
    uow_factory: UnitOfWorkFactory,
    work: Callable[[UnitOfWork], Awaitable[T]],
    *,
    attempts: int = NUMBER_ATTEMPTS,
) -> T:
    """Run `work` (which calls `place_order`) in a fresh write unit of work and commit it; when the order
    number it drew was taken by a concurrent checkout, run it again in a new unit of work (so with a new
    number and nothing of the failed try kept). Other errors propagate, with nothing committed.
    """
    for attempt in range(1, attempts + 1):
        async with uow_factory(write=True) as uow:
            try:
                result = await work(uow)
            except OrderNumberTaken:
                if attempt == attempts:
                    raise
                continue
            await uow.commit()
            return result
    raise AssertionError("unreachable")  # pragma: no cover
