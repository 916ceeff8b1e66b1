"""A hand-built shop whose figures are known, written through the real repositories.

Window: the 7 local (UTC) days 4-10 March 2026, up to NOW = 10 March 12:00.

| order | placed      | lines            | total | what happened                                         |
|-------|-------------|------------------|-------|-------------------------------------------------------|
| A     | 4 Mar 10:00 | 2 MUG            | 25.00 | paid 10:05, shipped 12:05 (2 h), delivered 6 Mar      |
| B     | 5 Mar 09:00 | 1 TEE            | 30.00 | paid 09:10, shipped 6 Mar 09:10 (24 h)                |
| C     | 5 Mar 15:00 | 1 CAP, 1 MUG     | 30.00 | paid, then refunded                                   |
| D     | 7 Mar 08:00 | 1 MUG            | 15.00 | cancelled unpaid                                      |
| E     | 8 Mar 08:00 | 3 CAP, cash      | 50.00 | accepted, packed, shipped, delivered, cash recorded   |
| F     | 10 Mar 11:00| 1 TEE            | 30.00 | placed, awaiting payment                              |
| G     | 1 Mar 09:00 | 1 MUG            | 15.00 | before the window; paid 1 Mar 12:00, shipped 4 Mar    |
|       |             |                  |       | 12:00 (72 h): counts only for the shipping median     |

Revenue = A + B + E = 105.00 over 3 orders (average 35.00); the median paid -> shipped of the orders
shipped in the window (A 2 h, B 24 h, G 72 h) is 24 h; E was shipped before it was paid: not measured.
Payment attempts in the window: 1,000, of which 800 succeeded and 100 were refunded (900 collected).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from domain.actor import Actor
from domain.analytics import FunnelStep
from domain.catalog.products import Category, Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from storage.tables.payments import PaymentAttemptRow
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STANDARD = DeliveryChoice("standard", "Standard", Money(500, "USD"))
PRICES = {"MUG": 1000, "TEE": 2500, "CAP": 1500}
NAMES = {"MUG": "Mug", "TEE": "T-shirt", "CAP": "Cap"}
STAFF = Actor.staff(1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _order(number: str, placed: datetime, lines: dict[str, int], method=PaymentMethod.STRIPE) -> Order:
    return Order.place(
        number=number,
        customer_id=100 + ord(number[-1]),
        lines=[OrderLine(sku, NAMES[sku], Money(PRICES[sku], "USD"), qty) for sku, qty in lines.items()],
        delivery=STANDARD,
        payment_method=method,
        address=None,
        now=placed,
        reservation=timedelta(minutes=30),
    )


def _pay(order: Order, when: datetime) -> None:
    order.mark_paid(Actor.system("stripe"), when, f"cs_{order.number}", f"pi_{order.number}")


def _orders() -> list[Order]:
    a = _order("ORD-A", at(4, 10), {"MUG": 2})
    _pay(a, at(4, 10, 5))
    a.transition(OrderStatus.ACCEPTED, STAFF, at(4, 11))
    a.transition(OrderStatus.PACKED, STAFF, at(4, 11, 30))
    a.ship("DHL", "JD0001", STAFF, at(4, 12, 5))
    a.transition(OrderStatus.DELIVERED, Actor.carrier("DHL"), at(6, 9))
    b = _order("ORD-B", at(5, 9), {"TEE": 1})
    _pay(b, at(5, 9, 10))
    b.transition(OrderStatus.ACCEPTED, STAFF, at(5, 10))
    b.transition(OrderStatus.PACKED, STAFF, at(5, 11))
    b.ship("UPS", "1Z0002", STAFF, at(6, 9, 10))
    c = _order("ORD-C", at(5, 15), {"CAP": 1, "MUG": 1})
    _pay(c, at(5, 15, 1))
    c.transition(OrderStatus.REFUNDED, STAFF, at(5, 16))
    d = _order("ORD-D", at(7, 8), {"MUG": 1})
    d.transition(OrderStatus.CANCELLED, Actor.customer(d.customer_id), at(7, 8, 10))
    e = _order("ORD-E", at(8, 8), {"CAP": 3}, PaymentMethod.CASH)
    e.transition(OrderStatus.ACCEPTED, STAFF, at(8, 9))
    e.transition(OrderStatus.PACKED, STAFF, at(8, 10))
    e.ship("=HYPERLINK(1)", "LOC0005", STAFF, at(8, 11))
    e.transition(OrderStatus.DELIVERED, Actor.carrier("local"), at(9, 14))
    e.collect_cash(at(9, 14))  # staff record the cash the courier collected
    f = _order("ORD-F", at(10, 11), {"TEE": 1})
    g = _order("ORD-G", at(1, 9), {"MUG": 1})
    _pay(g, at(1, 12))
    g.transition(OrderStatus.ACCEPTED, STAFF, at(2, 9))
    g.transition(OrderStatus.PACKED, STAFF, at(3, 9))
    g.ship("DHL", "JD0007", STAFF, at(4, 12))
    return [a, b, c, d, e, f, g]


def _attempts() -> list[dict]:
    outcomes = (
        [AttemptOutcome.SUCCEEDED] * 800
        + [AttemptOutcome.REFUNDED] * 100
        + [AttemptOutcome.FAILED] * 60
        + [AttemptOutcome.EXPIRED] * 30
        + [AttemptOutcome.PENDING] * 10
    )
    inside = [(at(4, 0) + timedelta(minutes=9 * i), outcome) for i, outcome in enumerate(outcomes)]
    outside = [(at(3, 23, 59), AttemptOutcome.FAILED), (NOW, AttemptOutcome.FAILED)]  # end is exclusive
    return [
        {
            "order_number": f"ATT-{i}",
            "method": "stripe",
            "amount_minor": 1000,
            "currency": "USD",
            "created_at": created,
            "outcome": outcome.value,
        }
        for i, (created, outcome) in enumerate(inside + outside)
    ]


async def load_known_shop(factory: SqlAlchemyUnitOfWorkFactory) -> None:
    async with factory() as uow:
        await uow.categories.add(Category("goods", "Goods"))
        for sku, price in {**PRICES, "OLD": 700}.items():
            await uow.products.add(
                Product(sku, NAMES.get(sku, "Old stock"), "goods", Money(price, "USD"), active=sku != "OLD")
            )
        await uow.stocks.add(StockLevel("MUG", on_hand=10, safety=2))
        await uow.stocks.add(StockLevel("TEE", on_hand=3, safety=5))  # low
        await uow.stocks.add(StockLevel("CAP", on_hand=4, reserved=3, safety=2))  # low: 1 available
        await uow.stocks.add(StockLevel("OLD", on_hand=0, safety=5))  # low, but no longer sold
        for order in _orders():
            await uow.orders.add(order)
        for i in range(10):
            await uow.funnel.record(FunnelStep.CART_CREATED, 200 + i, at(4 + i % 6, 8))
        for i in range(8):
            await uow.funnel.record(FunnelStep.CHECKOUT_STARTED, 200 + i, at(4 + i % 6, 9))
        await uow.funnel.record(FunnelStep.CART_CREATED, 300, at(3, 23))  # before the window
        await uow.session.execute(insert(PaymentAttemptRow), _attempts())
        await uow.commit()
