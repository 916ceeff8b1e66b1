"""My orders, cancel, buy again, "where is my parcel?", and what the customer hears later via the outbox."""

from __future__ import annotations

import dataclasses

import pytest

from domain.actor import Actor
from domain.events import OrderStatusChanged
from domain.order_status import OrderStatus
from domain.services import change_status
from handlers.actions.customer import BuyAgain, CancelOrder, ShowOrder, TrackOrder, pack
from handlers.app import ShopApp
from handlers.kernel.notifications import enqueue
from tests.unit.chat import Chat, place_order
from tests.unit.conftest import MERCHANT_CHAT


async def _ship(shop, clock, number: str, *, tracking: str = "LX123456789CN") -> None:
    async with shop() as uow:
        order = await uow.orders.get_for_update(number)
        staff = Actor.staff(9)
        events = await change_status(uow, order, OrderStatus.ACCEPTED, staff, clock.now())
        events += await change_status(uow, order, OrderStatus.PACKED, staff, clock.now())
        order.ship("China Post", tracking, staff, clock.now())
        events += order.events[-1:]
        await uow.stocks.ship(order.number)
        await uow.orders.save(order)
        await enqueue(uow, events, merchant_chat_id=MERCHANT_CHAT, now=clock.now())
        await uow.commit()


async def test_forged_button_for_another_customers_order_is_refused_and_changes_nothing(
    alice: Chat, bob: Chat, shop
):
    number = await place_order(alice, shop, {"TEA-BLACK": 1})
    for forged in (CancelOrder(number, True), ShowOrder(number), BuyAgain(number), TrackOrder(number)):
        await bob.press_data(pack(forged))
        assert bob.text == "That order or item is not available." and bob.last.alert
        assert number not in bob.text
    async with shop() as uow:
        assert (await uow.orders.get(number)).status is OrderStatus.PLACED
        assert (await uow.carts.get(bob.user_id)).is_empty
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 1


async def test_my_orders_lists_status_and_detail_shows_items_and_history_in_shop_time(shop, clock, config):
    alice = Chat(ShopApp(shop, clock, dataclasses.replace(config, timezone="Asia/Shanghai")), 111)
    number = await place_order(alice, shop, {"TEA-BLACK": 2})
    await alice.command("orders")
    assert any(number in label and "Placed" in label and "$23.00" in label for label in alice.labels())
    await alice.press(number)
    assert f"Order {number} · Placed" in alice.text and "Black tea × 2 = $18.00" in alice.text
    assert "History:" in alice.text and "2026-01-01 20:00 · Placed" in alice.text


async def test_customer_cancels_after_confirming_stock_is_released_and_the_shop_told(
    alice: Chat, shop, outbox
):
    number = await place_order(alice, shop, {"TEA-BLACK": 2})
    await alice.press("View order")
    await alice.press("Cancel order")
    assert f"Cancel order {number}?" in alice.text
    await alice.press("Yes, cancel it")
    assert "Your order is cancelled." in alice.text and "Cancelled" in alice.text
    assert "Cancel order" not in " ".join(alice.labels())
    async with shop() as uow:
        assert (await uow.orders.get(number)).status is OrderStatus.CANCELLED
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 0
    [note] = [m for m in outbox() if m.dedupe_key == f"order:{number}:cancelled:merchant"]
    assert note.chat_id == MERCHANT_CHAT and "by the customer" in note.payload["text"]
    assert not [m for m in outbox() if m.chat_id == alice.user_id]  # she saw it directly
    await alice.press_data(pack(CancelOrder(number, True)))  # the old confirm button again
    assert "can no longer be cancelled" in alice.text


async def test_buy_again_refills_the_cart_within_stock(alice: Chat, shop):
    number = await place_order(alice, shop, {"TEA-GREEN": 1, "TEA-BLACK": 1})
    await alice.press_data(pack(BuyAgain(number)))
    assert "Black tea × 1" in alice.text and "Green tea × 1" in alice.text
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).lines == {"TEA-GREEN": 1, "TEA-BLACK": 1}


@pytest.mark.parametrize("question", ["where is my order", "Track my parcel", "我的快递到哪了", "订单状态"])
async def test_track_intent_answers_with_the_latest_open_order(alice: Chat, shop, clock, question):
    number = await place_order(alice, shop, {"TEA-BLACK": 1})
    await alice.send(question)
    assert f"Order {number}: Placed" in alice.text and "not shipped yet" in alice.text
    await _ship(shop, clock, number)
    await alice.command("track")
    assert f"Order {number}: Shipped" in alice.text and "China Post" in alice.text
    [link] = [b.url for b in alice.buttons() if b.url]
    assert "LX123456789CN" in link


async def test_track_asks_which_order_when_several_are_open(alice: Chat, shop):
    first = await place_order(alice, shop, {"TEA-BLACK": 1})
    second = await place_order(alice, shop, {"TEA-OOLONG": 1})
    await alice.command("track")
    assert "Which one?" in alice.text
    await alice.press(second)
    assert f"Order {second}: Placed" in alice.text and first not in alice.text


async def test_track_without_orders(alice: Chat):
    await alice.send("where is my parcel?")
    assert "no open orders" in alice.text


async def test_chinese_customer_is_notified_in_chinese_when_the_shop_ships(app, shop, clock, outbox):
    wang = Chat(app, 333, language_code="zh")
    number = await place_order(wang, shop, {"TEA-BLACK": 1}, pay="货到付款")
    await wang.send("我的快递到哪了")
    assert f"订单 {number}：已下单" in wang.text
    await _ship(shop, clock, number)
    shipped = [m for m in outbox() if (m.dedupe_key or "").startswith(f"order:{number}:shipped")]
    assert len(shipped) == 1 and shipped[0].chat_id == 333
    assert "已发货" in shipped[0].payload["text"] and "LX123456789CN" in shipped[0].payload["text"]
    urls = [b["url"] for row in shipped[0].payload["buttons"] for b in row if b["url"]]
    assert urls == ["https://t.17track.net/zh-cn#nums=LX123456789CN"]  # the tracking page in Chinese
    await _ship_again_is_deduplicated(shop, clock, number, outbox)


async def _ship_again_is_deduplicated(shop, clock, number, outbox) -> None:
    async with shop() as uow:
        order = await uow.orders.get(number)
        event = OrderStatusChanged(number, order.customer_id, "packed", "shipped", "staff:9")
        await enqueue(uow, [event], merchant_chat_id=MERCHANT_CHAT, now=clock.now())
        await uow.commit()
    assert len([m for m in outbox() if (m.dedupe_key or "").startswith(f"order:{number}:shipped")]) == 1
