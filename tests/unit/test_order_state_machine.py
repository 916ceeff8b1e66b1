from datetime import UTC, datetime, timedelta

import pytest

from domain.actor import Actor
from domain.customer import Address
from domain.errors import IllegalTransition, InvalidInput
from domain.events import OrderPlaced, OrderStatusChanged
from domain.money import Money
from domain.order import DeliveryChoice, Order, OrderLine
from domain.order_status import ALLOWED, OrderStatus, PaymentMethod

S = OrderStatus
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
STAFF = Actor.staff(42)


ADDRESS = Address("Ann Lee", "+15550100", "US", "Springfield", "12 Main St", "12345")


def make_order(method=PaymentMethod.STRIPE, number="ABC-1234") -> Order:
    return Order.place(
        number=number,
        customer_id=7,
        lines=[OrderLine("TEA-1", "Green tea", Money(450, "USD"), 2)],
        delivery=DeliveryChoice("standard", "Standard", Money(500, "USD")),
        payment_method=method,
        address=ADDRESS,  # shipped (a pickup order, with none, is handed over at the shop)
        now=NOW,
        reservation=timedelta(minutes=30),
    )


def walk(order: Order, *statuses: OrderStatus) -> Order:
    at = NOW
    for status in statuses:
        at += timedelta(minutes=1)
        order.transition(status, STAFF, at)
    return order


HAPPY_PREPAID = [
    S.PAID,
    S.ACCEPTED,
    S.PACKED,
    S.SHIPPED,
    S.IN_TRANSIT,
    S.OUT_FOR_DELIVERY,
    S.DELIVERED,
    S.COMPLETED,
]


def test_a_prepaid_order_walks_the_whole_happy_path_and_records_each_step():
    order = walk(make_order(), *HAPPY_PREPAID)
    assert order.status is S.COMPLETED
    assert [t.new for t in order.timeline] == [S.PLACED, *HAPPY_PREPAID]
    assert all(t.at.tzinfo is UTC for t in order.timeline)
    assert order.timeline[1].actor == STAFF
    assert isinstance(order.events[0], OrderPlaced)
    assert [e.new for e in order.events[1:] if isinstance(e, OrderStatusChanged)] == HAPPY_PREPAID


def test_cash_on_delivery_skips_paid_and_is_paid_at_the_door():
    order = walk(make_order(PaymentMethod.CASH), S.ACCEPTED, S.PACKED, S.SHIPPED)
    assert not order.is_paid
    assert not order.can(S.PAID)
    walk(order, S.DELIVERED)
    assert order.is_paid


def test_every_allowed_transition_is_accepted_from_a_reached_state():
    # Reach each state by a legal path, then try each of its allowed targets on a fresh copy.
    paths = {
        S.PLACED: [],
        S.PAID: [S.PAID],
        S.ACCEPTED: [S.PAID, S.ACCEPTED],
        S.PACKED: [S.PAID, S.ACCEPTED, S.PACKED],
        S.SHIPPED: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED],
        S.IN_TRANSIT: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.IN_TRANSIT],
        S.OUT_FOR_DELIVERY: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.OUT_FOR_DELIVERY],
        S.DELIVERY_EXCEPTION: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERY_EXCEPTION],
        S.DELIVERED: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED],
        S.COMPLETED: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED],
        S.RETURNED: [S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED, S.RETURNED],
        S.CANCELLED: [S.PAID, S.CANCELLED],
        S.REJECTED: [S.PAID, S.REJECTED],
        S.PAYMENT_EXPIRED: [S.PAYMENT_EXPIRED],
        S.REFUNDED: [S.PAID, S.CANCELLED, S.REFUNDED],
    }
    checked = 0
    for state, path in paths.items():
        assert walk(make_order(), *path).status is state
        for target in walk(make_order(), *path).allowed():
            order = walk(make_order(), *path, target)
            assert order.status is target
            checked += 1
    # every table entry, plus one more prepaid exit each from PLACED (paid vs rejected) and PAYMENT_EXPIRED
    assert checked == sum(len(v) for v in ALLOWED.values()) + 2


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], S.SHIPPED),
        ([], S.ACCEPTED),  # a prepaid order must be paid before the merchant accepts it
        ([S.PAID], S.DELIVERED),
        ([S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED], S.CANCELLED),  # parcel already left
        ([S.PAID, S.CANCELLED], S.PAID),
        ([S.PAYMENT_EXPIRED], S.CANCELLED),
        ([S.PAID, S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED], S.IN_TRANSIT),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(path, target):
    order = walk(make_order(), *path)
    before = (order.status, len(order.timeline))
    with pytest.raises(IllegalTransition):
        order.transition(target, STAFF, NOW + timedelta(hours=1))
    assert (order.status, len(order.timeline)) == before


def test_an_unpaid_cancelled_order_cannot_be_refunded():
    order = walk(make_order(), S.CANCELLED)
    assert not order.can(S.REFUNDED)


def test_a_late_payment_can_revive_an_expired_prepaid_order():
    order = walk(make_order(), S.PAYMENT_EXPIRED)
    assert order.can(S.PAID)


def test_totals_come_from_line_snapshots_plus_shipping():
    order = make_order()
    assert order.subtotal == Money(900, "USD")
    assert order.total == Money(1400, "USD")


def test_naive_time_is_refused():
    order = make_order()
    with pytest.raises(ValueError):
        order.transition(S.PAID, STAFF, datetime(2026, 3, 1, 11, 0))


def test_shipping_requires_a_plausible_tracking_number():
    order = walk(make_order(), S.PAID, S.ACCEPTED, S.PACKED)
    with pytest.raises(InvalidInput):
        order.ship("DHL", "x!", STAFF, NOW)
    assert order.status is S.PACKED
    order.ship("DHL", " 1z999aa1 0123456784 ", STAFF, NOW)
    assert (order.status, order.tracking_number) == (S.SHIPPED, "1Z999AA10123456784")
