"""The tracking poll over in-memory storage and carrier: what customers and the merchant hear."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from domain.actor import Actor
from domain.customer import Address
from domain.errors import DeliveryFailed, RetryLater
from domain.order_status import OrderStatus
from domain.ports import CarrierTracking
from handlers.merchant.notices import refresh_cards
from jobs.apply_tracking import Applied, apply_carrier_status
from jobs.poll_tracking import PollTracking
from tests.fakes.carrier import FakeCarrierTracking
from tests.fakes.memory import FakeShipments
from tests.fakes.orders import ShopWorld, add_order
from tests.fakes.payment_shop import card_edits

MERCHANT = -100500
CARD = 4242  # the id Telegram gave an order's card in the merchant chat


class World(ShopWorld):
    def __init__(self) -> None:
        super().__init__()
        self.carrier = FakeCarrierTracking()
        self.shipments = FakeShipments(self.state)

    def poll(self, tracking: CarrierTracking | None = None, worker: str = "w1") -> PollTracking:
        return PollTracking(
            self.uow_factory,
            FakeShipments(self.state),
            tracking or self.carrier,
            self.time,
            worker,
            poll_every=timedelta(minutes=30),
            merchant_chat_id=MERCHANT,
        )

    async def cycle(self, poll: PollTracking | None = None):
        report = await (poll or self.poll()).run()
        self.time.advance(minutes=31)
        return report


async def test_each_status_change_reaches_the_customer_once():
    world = World()
    add_order(world.state, world.time, "AAA-1111", customer_id=7, tracking="TRK0001")
    await world.cycle()  # registered, NotFound: nothing to say
    assert world.texts(7) == []
    world.carrier.statuses["TRK0001"] = "InTransit"
    await world.cycle()
    await world.cycle()  # same status again
    world.carrier.statuses["TRK0001"] = "OutForDelivery"
    await world.cycle()
    world.carrier.statuses["TRK0001"] = "Delivered"
    await world.cycle()
    await world.cycle()
    assert world.texts(7) == [
        "Your order AAA-1111 is on its way.",
        "Your order AAA-1111 is out for delivery today.",
        "Your order AAA-1111 was delivered. Enjoy!",
    ]
    assert world.state.orders["AAA-1111"].status is OrderStatus.DELIVERED
    assert not world.shipments.by_number("TRK0001")[0].active  # delivered parcels are not polled again


@pytest.mark.parametrize(
    ("carrier_status", "told"),
    [
        ("AvailableForPickup", "您的订单 AAA-2222 已可取件。"),
        ("Delivered", "您的订单 AAA-2222 已送达，祝您喜欢！"),
    ],
)
async def test_a_chinese_speaking_customer_is_told_in_chinese(carrier_status, told):
    world = World()
    add_order(world.state, world.time, "AAA-2222", customer_id=8, tracking="TRK0002", language="zh")
    world.carrier.statuses["TRK0002"] = carrier_status
    await world.cycle()
    assert world.texts(8) == [told]


async def test_a_chinese_customer_follows_the_parcel_in_chinese_while_the_shop_reads_english():
    world = World()
    add_order(world.state, world.time, "AAA-4444", customer_id=10, tracking="TRK0004", language="zh")
    for status in ("InTransit", "OutForDelivery", "DeliveryFailure"):
        world.carrier.statuses["TRK0004"] = status
        await world.cycle()
    assert world.texts(10) == [
        "您的订单 AAA-4444 正在运输途中。",
        "您的订单 AAA-4444 今天正在派送。",
        "您的订单 AAA-4444 配送遇到问题：派送失败。我们正在处理，会及时通知您。",
    ]
    [alert] = world.texts(MERCHANT)
    assert alert.startswith("⚠️ Delivery problem on order AAA-4444 (3011 TRK0004): delivery failed.")


async def test_a_delivery_problem_tells_the_customer_and_alerts_the_merchant():
    world = World()
    add_order(world.state, world.time, "AAA-3333", customer_id=9, tracking="TRK0003")
    world.carrier.statuses["TRK0003"] = "DeliveryFailure"
    await world.cycle()
    await world.cycle()
    assert len(world.texts(9)) == 1 and "problem" in world.texts(9)[0]
    [notice] = [m.payload for m in world.state.outbox if m.chat_id == 9]
    assert [b["label"] for row in notice["buttons"] for b in row] == ["💬 Contact the shop"]
    assert len(world.texts(MERCHANT)) == 1 and "AAA-3333" in world.texts(MERCHANT)[0]
    assert world.state.orders["AAA-3333"].status is OrderStatus.DELIVERY_EXCEPTION


async def test_a_refused_tracking_number_alerts_the_merchant_once_and_is_not_polled_again():
    world = World()
    add_order(world.state, world.time, "AAA-4444", tracking="BADNUMBER1")
    world.carrier.refused["BADNUMBER1"] = "Invalid tracking number"
    for _ in range(3):
        await world.cycle()
    [alert] = world.texts(MERCHANT)
    assert "BADNUMBER1" in alert and "Invalid tracking number" in alert
    assert sum(size for name, size in world.carrier.calls if name == "register") == 1


async def test_an_outage_on_one_batch_does_not_stop_the_other_shipments():
    world = World()
    for i in range(50):
        add_order(world.state, world.time, f"B{i:02d}-0000", customer_id=100 + i, tracking=f"TRKB{i:03d}")
        world.carrier.statuses[f"TRKB{i:03d}"] = "InTransit"
    await world.cycle()  # registers all 50 (two batches) and polls them
    for i in range(50):
        world.carrier.statuses[f"TRKB{i:03d}"] = "Delivered"
    world.carrier.outages.extend([DeliveryFailed("HTTP 502")])
    report = await world.cycle()
    assert report.failed_batches == 1
    delivered = [o for o in world.state.orders.values() if o.status is OrderStatus.DELIVERED]
    assert len(delivered) == 10  # the first batch of 40 failed; the other went through
    for _ in range(4):  # the failed batch is retried after its backoff
        await world.cycle()
    assert all(o.status is OrderStatus.DELIVERED for o in world.state.orders.values())
    assert all(size <= 40 for _, size in world.carrier.calls)


async def test_a_rate_limited_batch_waits_at_least_as_long_as_asked():
    world = World()
    add_order(world.state, world.time, "AAA-5555", tracking="TRK0005")
    world.carrier.outages.append(RetryLater(900))
    await world.poll().run()
    assert world.shipments.by_number("TRK0005")[0].next_poll_at >= world.time.now() + timedelta(seconds=900)


async def test_two_pollers_at_once_poll_each_parcel_once_and_message_once():
    world = World()
    for i in range(10):
        add_order(world.state, world.time, f"C{i:02d}-0000", customer_id=200 + i, tracking=f"TRKC{i:02d}")
        world.carrier.statuses[f"TRKC{i:02d}"] = "InTransit"
    first, second = world.poll(worker="a"), world.poll(worker="b")
    r1 = await first.run()
    r2 = await second.run()  # same moment: everything is leased or done
    assert r1.polled == 10 and r2.polled == 0
    assert len(world.state.outbox) == 10


async def test_a_customer_who_blocked_the_bot_is_not_messaged_but_the_order_still_moves():
    world = World()
    add_order(world.state, world.time, "AAA-6666", customer_id=11, tracking="TRK0006")
    world.state.customers[11].unreachable = True
    world.carrier.statuses["TRK0006"] = "InTransit"
    await world.cycle()
    assert world.texts(11) == []
    assert world.state.orders["AAA-6666"].status is OrderStatus.IN_TRANSIT


async def test_without_an_api_key_the_merchant_sets_delivery_states_by_hand_and_the_customer_is_told_once():
    world = World()
    add_order(world.state, world.time, "MAN-0001", customer_id=12, tracking="MANUAL001")
    for _ in range(2):  # a double tap on the button
        async with world.uow_factory() as uow:
            result = await apply_carrier_status(
                uow,
                "MAN-0001",
                "Delivered",
                actor=Actor.staff(7),
                now=world.time.now(),
                merchant_chat_id=MERCHANT,
            )
            await uow.commit()
    assert result is Applied.CLOSED  # the second tap finds it delivered: nothing changes
    assert world.texts(12) == ["Your order MAN-0001 was delivered. Enjoy!"]
    assert world.state.orders["MAN-0001"].timeline[-1].actor == Actor.staff(7)


async def test_two_orders_in_one_parcel_are_both_tracked_and_both_customers_told():
    world = World()
    add_order(world.state, world.time, "AAA-1111", customer_id=7, tracking="JD014600003828")
    add_order(world.state, world.time, "BBB-2222", customer_id=8, tracking="JD014600003828")
    await world.cycle()
    assert len(world.shipments.by_number("JD014600003828")) == 2
    assert ("register", 1) in world.carrier.calls  # the shared number is registered once
    world.carrier.statuses["JD014600003828"] = "Delivered"
    await world.cycle()
    for number, customer in (("AAA-1111", 7), ("BBB-2222", 8)):
        assert world.state.orders[number].status is OrderStatus.DELIVERED
        assert world.texts(customer) == [f"Your order {number} was delivered. Enjoy!"]


async def test_a_corrected_tracking_number_is_followed_and_the_old_one_dropped():
    world = World()
    order = add_order(world.state, world.time, "AAA-1111", customer_id=7, tracking="JD000000000001")
    await world.cycle()
    order.correct_tracking("DHL", "JD014600003828")  # staff: ✏ Fix tracking
    world.carrier.statuses["JD000000000001"] = "Delivered"  # somebody else's parcel
    world.carrier.statuses["JD014600003828"] = "InTransit"
    await world.cycle()
    await world.cycle()
    assert world.state.orders["AAA-1111"].status is OrderStatus.IN_TRANSIT
    assert not world.shipments.by_number("JD000000000001")[0].active
    assert world.shipments.by_number("JD014600003828")[0].active


@pytest.mark.parametrize(
    ("carrier_status", "shown", "button"),
    [
        ("InTransit", "In transit", "✏ Fix tracking"),
        ("OutForDelivery", "Out for delivery", "✏ Fix tracking"),
        ("Delivered", "Delivered", "↩ Mark returned"),
        ("Exception", "Delivery problem", "✉ Contact customer"),
    ],
)
async def test_a_carrier_status_moving_an_order_redraws_its_card_in_the_merchant_chat(
    carrier_status, shown, button
):
    world = World()
    order = add_order(world.state, world.time, "AAA-7777", tracking="TRK0007")
    order.address = Address("Ann", "+15550100", "US", "Springfield", "1 Main St")  # sent, not collected
    order.merchant_message_id = CARD
    await world.cycle()  # registered, NotFound: the card is left as it is
    assert card_edits(world.uow_factory, MERCHANT, CARD) == []
    world.carrier.statuses["TRK0007"] = carrier_status
    await world.cycle()
    await world.cycle()  # the same status again: nothing to redraw
    [edit] = card_edits(world.uow_factory, MERCHANT, CARD)  # in the unit of work that moved it
    assert edit["text"].startswith(f"🧾 Order AAA-7777 — {shown}")
    labels = [b["label"] for row in edit["buttons"] for b in row]
    assert button in labels
    assert "🏠 Delivered" not in labels  # the carrier moves it: no delivery buttons


async def test_staff_setting_a_delivery_state_by_hand_is_not_redrawn_by_the_rule_they_see_their_press():
    world = World()
    add_order(world.state, world.time, "MAN-0002", tracking="MANUAL002").merchant_message_id = CARD
    cards = partial(refresh_cards, chat_id=MERCHANT, manual_delivery=True)
    async with world.uow_factory() as uow:
        await apply_carrier_status(
            uow,
            "MAN-0002",
            "InTransit",
            actor=Actor.staff(7),
            now=world.time.now(),
            merchant_chat_id=MERCHANT,
            refresh_cards=cards,
        )
        await uow.commit()
    assert world.state.orders["MAN-0002"].status is OrderStatus.IN_TRANSIT
    assert card_edits(world.uow_factory, MERCHANT, CARD) == []
