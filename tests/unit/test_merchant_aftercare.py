"""Every order state has a next step for staff, and the customer's last word about the order matches it."""

from __future__ import annotations

import pytest

from domain.actor import Actor
from domain.order_status import OrderStatus
from domain.tracking.statuses import CarrierStatus
from handlers.actions.aftercare import (
    ContactCustomer,
    MarkCashPaid,
    RefundOrder,
    ReturnLine,
    ReturnOrder,
    ShipAgain,
)
from handlers.actions.customer import pack
from handlers.actions.merchant import (
    AcceptOrder,
    CancelByShop,
    FixTracking,
    PackOrder,
    RejectOrder,
    ShipOrder,
    ShipVia,
)
from handlers.app import ShopApp
from handlers.merchant.order_card import card_buttons
from jobs.apply_tracking import apply_carrier_status
from jobs.complete_delivered import CompleteDelivered
from jobs.expire_reservations import expire_reservations
from tests.fakes.payment_shop import FakeGateway
from tests.shops.merchant import (
    ANN,
    CAROL,
    FREE_DELIVERY,
    MERCHANT_CHAT,
    FakeTracking,
    StaffChat,
    desk_for,
    paid_order,
    placed_order,
)
from tests.unit.chat import Chat, place_order

S = OrderStatus


@pytest.fixture
def desk():
    return desk_for(tracking=FakeTracking(), gateway=FakeGateway())


@pytest.fixture
def ann(shop, clock, config, desk) -> StaffChat:
    return StaffChat(ShopApp(shop, clock, config, merchant=desk), ANN, "Ann")


def last_to_customer(shop, number: str) -> str:
    texts = [
        m.payload["text"] for m in shop.state.outbox if m.chat_id == CAROL and number in m.payload["text"]
    ]
    return texts[-1] if texts else ""


def actions(order) -> list[str]:
    """What the card in the merchant chat (tracking provider set: no manual delivery buttons) offers to
    do with the order (the "💬 n messages" thread every card has is not a step)."""
    rows = card_buttons(order, "en", manual_delivery=False, with_timeline=False)
    return [b.label for row in rows for b in row if not b.label.startswith("💬")]


async def ship(ann: StaffChat, shop, clock, desk) -> str:
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 2})
    await ann.press_data(pack(AcceptOrder(order.number)))
    await ann.press_data(pack(PackOrder(order.number)))
    await ann.command("ship", f"{order.number} DHL JD014600003828")
    return order.number


_REPORTS = {
    S.IN_TRANSIT: CarrierStatus.IN_TRANSIT,
    S.OUT_FOR_DELIVERY: CarrierStatus.OUT_FOR_DELIVERY,
    S.DELIVERED: CarrierStatus.DELIVERED,
    S.DELIVERY_EXCEPTION: CarrierStatus.EXCEPTION,
}


async def carrier_says(shop, clock, number: str, *statuses: OrderStatus) -> None:
    """What the tracking poll does when the carrier reports these."""
    for status in statuses:
        async with shop() as uow:
            actor = Actor.carrier("DHL")
            await apply_carrier_status(
                uow, number, _REPORTS[status], actor=actor, now=clock.now(), merchant_chat_id=MERCHANT_CHAT
            )
            await uow.commit()


async def test_carrier_chosen_by_button_then_the_number_ships_with_that_carrier(shop, clock, desk, ann):
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await ann.press_data(pack(AcceptOrder(order.number)))
    await ann.press_data(pack(PackOrder(order.number)))
    await ann.press_on(ann.last.replies[0], "Ship")
    assert {"DHL", "UPS", "FedEx", "USPS"} <= {b.label for row in ann.last.replies[0].buttons for b in row}
    await ann.press_data(pack(ShipVia(order.number, "UPS")))
    assert "UPS: now send the tracking number" in ann.text
    await ann.send("1Z999AA10123456784")
    stored = shop.state.orders[order.number]
    assert (stored.status, stored.carrier, stored.tracking_number) == (S.SHIPPED, "UPS", "1Z999AA10123456784")


async def test_carrier_and_number_in_two_messages_and_a_bare_number_left_to_the_provider(
    shop, clock, desk, ann
):
    first = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    second = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    for number, message_id in ((first.number, 801), (second.number, 802)):
        await ann.press_data(pack(AcceptOrder(number)), message_id)
        await ann.press_data(pack(PackOrder(number)), message_id)
    await ann.press_data(pack(ShipOrder(first.number)), 801)
    await ann.send("Royal Mail")
    await ann.send("JD014600003828")
    assert (shop.state.orders[first.number].carrier, shop.state.orders[first.number].status) == (
        "Royal Mail",
        S.SHIPPED,
    )
    await ann.press_data(pack(ShipOrder(second.number)), 802)
    await ann.send("JD014600003828")  # the same number on two orders: one parcel
    stored = shop.state.orders[second.number]
    assert (stored.status, stored.carrier, stored.tracking_number) == (S.SHIPPED, None, "JD014600003828")
    assert ("JD014600003828", None) in desk.tracking.registered  # 17TRACK detects the carrier
    assert "on its way" in last_to_customer(shop, second.number)


async def test_a_wrong_tracking_number_is_corrected_and_the_customer_gets_the_new_one(shop, clock, desk, ann):
    number = await ship(ann, shop, clock, desk)
    assert "✏ Fix tracking" in actions(shop.state.orders[number])
    await ann.press_data(pack(FixTracking(number)))
    await ann.send("JD014600009999")
    stored = shop.state.orders[number]
    assert (stored.status, stored.carrier, stored.tracking_number) == (S.SHIPPED, "DHL", "JD014600009999")
    assert "JD014600009999" in last_to_customer(shop, number) and "Correction" in last_to_customer(
        shop, number
    )
    assert desk.tracking.registered[-1] == ("JD014600009999", "DHL")


async def test_a_delivery_problem_offers_contact_ship_again_returned_and_refund(shop, clock, desk, ann):
    number = await ship(ann, shop, clock, desk)
    await carrier_says(shop, clock, number, S.DELIVERY_EXCEPTION)
    offered = actions(shop.state.orders[number])
    for label in ("✉ Contact customer", "🚚 Ship again", "↩ Mark returned", "💸 Refund"):
        assert label in offered

    await ann.press_data(pack(ContactCustomer(number)))
    await ann.send("Your parcel was lost; we are sending a new one today.")
    assert "we are sending a new one today" in last_to_customer(shop, number)

    await ann.press_data(pack(ShipAgain(number)))
    await ann.send("DHL JD014600007777")
    stored = shop.state.orders[number]
    assert (stored.status, stored.tracking_number) == (S.SHIPPED, "JD014600007777")
    assert "on its way" in last_to_customer(shop, number) and "JD014600007777" in last_to_customer(
        shop, number
    )

    await carrier_says(shop, clock, number, S.DELIVERY_EXCEPTION)
    await ann.press_data(pack(RefundOrder(number)))
    assert "Refund $23.00 to the customer?" in ann.text
    await ann.press_data(pack(RefundOrder(number, True)))
    assert shop.state.orders[number].status is S.REFUNDED
    assert desk.gateway.refunds  # called after the commit
    assert "refund" in last_to_customer(shop, number).lower()
    assert actions(shop.state.orders[number]) == []  # final


@pytest.mark.parametrize(("restock", "on_hand"), [(1, 50), (0, 48)])
async def test_returned_goods_go_back_on_sale_only_when_staff_say_so(
    shop, clock, desk, ann, restock, on_hand
):
    number = await ship(ann, shop, clock, desk)  # 50 on hand, 2 shipped
    await carrier_says(shop, clock, number, S.IN_TRANSIT, S.DELIVERED)
    await ann.press_data(pack(ReturnOrder(number)))
    assert "Put them back on sale?" in ann.text
    await ann.press_data(pack(ReturnOrder(number, restock)))
    assert shop.state.orders[number].status is S.RETURNED
    assert shop.state.stocks["TEA-BLACK"].on_hand == on_hand
    assert "💸 Refund" in actions(shop.state.orders[number])


async def test_cash_on_delivery_is_paid_when_staff_mark_the_cash_received(shop, clock, desk, ann):
    carol = Chat(ann.app, CAROL, name="Carol")
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    await ann.press_data(pack(AcceptOrder(number)))
    await ann.press_data(pack(PackOrder(number)))
    await ann.command("ship", f"{number} DHL JD014600003828")
    await carrier_says(shop, clock, number, S.DELIVERED)
    assert not shop.state.orders[number].is_paid
    assert "💵 Cash received" in actions(shop.state.orders[number])
    await ann.press_data(pack(MarkCashPaid(number)))
    assert shop.state.orders[number].is_paid
    assert "💵 Cash received" not in actions(shop.state.orders[number])


# What the customer last read about the order, for each status (issue 15: never "we are on it" for an
# order nobody can act on).
TOLD = {
    S.PAID: "Payment received",
    S.ACCEPTED: "accepted your order",
    S.PACKED: "Packed",
    S.SHIPPED: "on its way",
    S.IN_TRANSIT: "on its way",  # the carrier's first scan
    S.OUT_FOR_DELIVERY: "out for delivery",
    S.DELIVERED: "delivered",
    S.COMPLETED: "delivered",  # completed quietly a week after delivery
    S.DELIVERY_EXCEPTION: "problem delivering",
    S.RETURNED: "Returned",
    S.REFUNDED: "refund",
    S.CANCELLED: "cancelled",
    S.REJECTED: "could not accept",
    S.PAYMENT_EXPIRED: "not paid in time",
}
FINAL = {S.REFUNDED, S.PAYMENT_EXPIRED}


async def reach(status: OrderStatus, shop, clock, desk, ann: StaffChat) -> str:
    """Drive a fresh order to `status` the way it gets there in the shop."""
    if status is S.PLACED:
        return (await placed_order(shop, clock, **{"TEA-BLACK": 1})).number
    if status is S.PAYMENT_EXPIRED:
        number = (await placed_order(shop, clock, **{"TEA-BLACK": 1})).number
        clock.advance(minutes=31)
        await expire_reservations(shop, clock)
        return number
    number = (await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})).number
    path = {
        S.REJECTED: [RejectOrder(number, "stock")],
        S.ACCEPTED: [AcceptOrder(number)],
        S.CANCELLED: [AcceptOrder(number), CancelByShop(number, True)],
        S.PACKED: [AcceptOrder(number), PackOrder(number)],
        S.PAID: [],
    }.get(status, [AcceptOrder(number), PackOrder(number)])
    for action in path:
        await ann.press_data(pack(action))
    if status in (S.PAID, S.REJECTED, S.ACCEPTED, S.CANCELLED, S.PACKED):
        return number
    await ann.command("ship", f"{number} DHL JD014600003828")
    carrier = {
        S.IN_TRANSIT: [S.IN_TRANSIT],
        S.OUT_FOR_DELIVERY: [S.IN_TRANSIT, S.OUT_FOR_DELIVERY],
        S.DELIVERY_EXCEPTION: [S.IN_TRANSIT, S.DELIVERY_EXCEPTION],
    }.get(status, [] if status is S.SHIPPED else [S.IN_TRANSIT, S.DELIVERED])
    await carrier_says(shop, clock, number, *carrier)
    if status is S.COMPLETED:
        clock.advance(days=8)
        await CompleteDelivered(shop, clock).run()
    if status in (S.RETURNED, S.REFUNDED):
        await ann.press_data(pack(ReturnOrder(number, 1)))
    if status is S.REFUNDED:
        await ann.press_data(pack(RefundOrder(number, True)))
    return number


@pytest.mark.parametrize("status", list(OrderStatus))
async def test_every_status_offers_staff_a_next_step_and_the_customer_was_told_it(
    shop, clock, desk, ann, status
):
    number = await reach(status, shop, clock, desk, ann)
    order = shop.state.orders[number]
    assert order.status is status
    if status in FINAL:
        assert actions(order) == []
    else:
        assert actions(order), f"no action on a {status} card"
    if status is not S.PLACED:  # a placed order's customer is answered in their own conversation
        assert TOLD[status].lower() in last_to_customer(shop, number).lower(), status


def test_the_walk_covers_every_status():
    assert set(TOLD) | {S.PLACED} == set(OrderStatus)


async def test_a_line_comes_back_unit_by_unit_each_refunded_at_its_price_and_the_rest_refunded_last(
    shop, clock, desk, ann
):
    number = await ship(ann, shop, clock, desk)  # 2 × Black tea at $9.00 + $5.00 delivery = $23.00
    await carrier_says(shop, clock, number, S.IN_TRANSIT, S.DELIVERED)
    await ann.press_data(pack(ReturnOrder(number)))
    assert "Part: Black tea (2 of 2 left)" in ann.labels()
    await ann.press_data(pack(ReturnLine(number, 0)))
    assert {"• 1", "2"} <= set(ann.labels()) and "1 × Black tea came back ($9.00)" in ann.text
    for _unit in range(2):
        await ann.press_data(pack(ReturnLine(number, 0, 1, 1)))  # one unit, back on sale
    order = shop.state.orders[number]
    assert (order.status, order.refunded_minor) == (S.DELIVERED, 1800)  # the order stays delivered
    assert shop.state.stocks["TEA-BLACK"].on_hand == 50  # both units back on sale
    assert len(desk.gateway.refunds) == 2  # two refunds of $9.00, not one twice
    assert "A refund of $9.00" in last_to_customer(shop, number)
    assert "Refunded so far: $18.00 of $23.00" in ann.last.replies[0].text

    await ann.press_data(pack(RefundOrder(number)))
    assert "Refund $5.00 to the customer?" in ann.text  # only what is left
    await ann.press_data(pack(RefundOrder(number, True)))
    assert shop.state.orders[number].status is S.REFUNDED
    assert len(desk.gateway.refunds) == 3


async def test_a_return_beyond_what_is_left_of_a_line_is_refused_and_changes_nothing(shop, clock, desk, ann):
    """Reproduced: return 2 of a line of 2, then again 2: the second restocked 2 more than were sold."""
    number = await ship(ann, shop, clock, desk)  # 2 × Black tea, 50 on hand before
    await carrier_says(shop, clock, number, S.IN_TRANSIT, S.DELIVERED)
    await ann.press_data(pack(ReturnLine(number, 0, 1, 1)))  # one unit back, on sale
    await ann.press_data(pack(ReturnOrder(number)))
    assert "Part: Black tea (1 of 2 left)" in ann.labels()
    await ann.press_data(pack(ReturnLine(number, 0)))
    assert [label for label in ann.labels() if label.strip("• ").isdigit()] == ["• 1"]  # only what is left
    before = (shop.state.stocks["TEA-BLACK"].on_hand, shop.state.orders[number].refunded_minor)
    refunds = dict(desk.gateway.refunds)

    await ann.press_data(pack(ReturnLine(number, 0, 2, 1)))  # an older "2" button
    assert ann.last.alert and "Only 1 of 2 × Black tea can still come back" in ann.last.answer
    assert (shop.state.stocks["TEA-BLACK"].on_hand, shop.state.orders[number].refunded_minor) == before
    assert desk.gateway.refunds == refunds and shop.state.orders[number].lines[0].returned == 1


async def test_the_same_two_units_returned_twice_are_restocked_and_refunded_once(shop, clock, desk, ann):
    number = await ship(ann, shop, clock, desk)
    await carrier_says(shop, clock, number, S.IN_TRANSIT, S.DELIVERED)
    for _press in range(2):
        await ann.press_data(pack(ReturnLine(number, 0, 2, 1)))  # 2 of the line of 2, then again 2
    assert shop.state.stocks["TEA-BLACK"].on_hand == 50  # 48 + 2, not 52
    assert shop.state.orders[number].refunded_minor == 1800 and len(desk.gateway.refunds) == 1
    assert ann.last.answer  # the second press is told why nothing happened


async def delivered_free(ann: StaffChat, shop, clock, desk, **lines: int) -> str:
    order = await paid_order(shop, clock, desk, delivery=FREE_DELIVERY, **lines)
    await ann.press_data(pack(AcceptOrder(order.number)))
    await ann.press_data(pack(PackOrder(order.number)))
    await ann.command("ship", f"{order.number} DHL JD014600003828")
    await carrier_says(shop, clock, order.number, S.IN_TRANSIT, S.DELIVERED)
    return order.number


def told_merchant(shop) -> list[str]:
    return [
        m.payload["text"] for m in shop.state.outbox if m.chat_id == MERCHANT_CHAT and "text" in m.payload
    ]


async def test_part_returns_that_add_up_to_the_whole_order_make_it_refunded_and_both_sides_read_so(
    shop, clock, desk, ann
):
    number = await delivered_free(ann, shop, clock, desk, **{"TEA-BLACK": 2})  # 2 × $9.00, free delivery
    await ann.press_data(pack(ReturnLine(number, 0, 1, 1)))
    assert shop.state.orders[number].status is S.DELIVERED  # one unit still with Carol
    await ann.press_data(pack(ReturnLine(number, 0, 1, 0)))  # the other one, damaged
    order = shop.state.orders[number]
    assert (order.status, order.refunded_minor) == (S.REFUNDED, 1800)
    assert [line.returned for line in order.lines] == [2]
    assert "refunded in full ($18.00)" in last_to_customer(shop, number)
    assert any(number in text and "refunded in full" in text for text in told_merchant(shop))
    assert len(desk.gateway.refunds) == 2 and actions(order) == []  # final


async def test_every_unit_back_but_money_left_keeps_the_order_partly_refunded_with_a_refund_to_finish(
    shop, clock, desk, ann
):
    number = await ship(ann, shop, clock, desk)  # 2 × $9.00 + $5.00 delivery
    await carrier_says(shop, clock, number, S.IN_TRANSIT, S.DELIVERED)
    await ann.press_data(pack(ReturnLine(number, 0, 2, 1)))
    order = shop.state.orders[number]
    assert (order.status, order.refunded_minor) == (S.DELIVERED, 1800)  # the delivery fee is not refunded
    assert "💸 Refund" in actions(order) and "Part: Black tea" not in " ".join(actions(order))
