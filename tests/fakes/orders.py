"""Orders in a given status, for job tests: built through the domain's own transitions."""

from __future__ import annotations

from datetime import timedelta

from domain.actor import Actor
from domain.clock import Clock
from domain.customer import Customer
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine
from domain.order_status import OrderStatus, PaymentMethod
from tests.fakes.memory import FakeUnitOfWorkFactory, MemoryState
from tests.fakes.timer import ManualTime

__all__ = ["add_order", "PATH_TO", "ShopWorld"]

_S = OrderStatus
PATH_TO = {
    _S.PLACED: [],
    _S.PAID: [_S.PAID],
    _S.ACCEPTED: [_S.PAID, _S.ACCEPTED],
    _S.SHIPPED: [_S.PAID, _S.ACCEPTED, _S.PACKED, _S.SHIPPED],
    _S.IN_TRANSIT: [_S.PAID, _S.ACCEPTED, _S.PACKED, _S.SHIPPED, _S.IN_TRANSIT],
    _S.DELIVERED: [_S.PAID, _S.ACCEPTED, _S.PACKED, _S.SHIPPED, _S.DELIVERED],
    _S.PAYMENT_EXPIRED: [_S.PAYMENT_EXPIRED],
}


def add_order(
    state: MemoryState,
    clock: Clock,
    number: str,
    *,
    customer_id: int = 1001,
    status: OrderStatus = OrderStatus.SHIPPED,
    method: PaymentMethod = PaymentMethod.STRIPE,
    tracking: str | None = None,
    price_minor: int = 2500,
    language: str = "en",
) -> Order:
    """An order of one line moved to `status`; its customer is stored too."""
    state.customers.setdefault(customer_id, Customer(customer_id, "Ann", language=language))
    order = Order.place(
        number=number,
        customer_id=customer_id,
        lines=[OrderLine("MUG", "Mug", Money(price_minor, "USD"), 1)],
        delivery=DeliveryChoice("standard", "Standard", Money(500, "USD")),
        payment_method=method,
        address=None,
        now=clock.now(),
        reservation=timedelta(minutes=30),
    )
    for target in PATH_TO[status]:
        if target is OrderStatus.SHIPPED:
            order.ship("3011", tracking or f"TRK{number.replace('-', '')}", Actor.staff(7), clock.now())
        else:
            order.transition(target, Actor.staff(7), clock.now())
    order.events.clear()
    state.orders[number] = order
    return order


class ShopWorld:
    """An empty in-memory shop on manual time, and what its outbox holds per chat."""

    def __init__(self) -> None:
        self.time = ManualTime()
        self.uow_factory = FakeUnitOfWorkFactory(MemoryState())
        self.state = self.uow_factory.state

    def texts(self, chat_id: int) -> list[str]:
        return [m.payload["text"] for m in self.state.outbox if m.chat_id == chat_id]
