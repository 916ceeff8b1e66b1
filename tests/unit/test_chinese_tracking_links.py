"""Every tracking link a Chinese-speaking customer is sent opens 17TRACK's Chinese page: when the parcel
ships, and when staff correct a wrong tracking number."""

from __future__ import annotations

from domain.customer import Customer
from handlers.actions.customer import pack
from handlers.actions.merchant import AcceptOrder, FixTracking, PackOrder
from handlers.app import ShopApp
from tests.fakes.payment_shop import FakeGateway
from tests.shops.merchant import ANN, CAROL, FakeTracking, StaffChat, desk_for, paid_order, stock_black_tea


def _links(shop) -> list[str]:
    return [
        button["url"]
        for message in shop.state.outbox
        if message.chat_id == CAROL
        for row in message.payload.get("buttons", [])
        for button in row
        if button.get("url")
    ]


async def test_a_chinese_customer_is_sent_the_chinese_tracking_page_at_shipping_and_correction(
    uow_factory, clock, config
):
    shop = uow_factory
    await stock_black_tea(shop)
    async with shop() as uow:
        await uow.customers.add(Customer(CAROL, "Carol", "zh"))
        await uow.commit()
    desk = desk_for(tracking=FakeTracking(), gateway=FakeGateway())
    ann = StaffChat(ShopApp(shop, clock, config, merchant=desk), ANN, "Ann")
    order = await paid_order(shop, clock, desk, **{"TEA-BLACK": 1})
    await ann.press_data(pack(AcceptOrder(order.number)))
    await ann.press_data(pack(PackOrder(order.number)))
    await ann.command("ship", f"{order.number} DHL JD014600003828")
    await ann.press_data(pack(FixTracking(order.number)))
    await ann.send("JD014600009999")

    assert _links(shop) == [
        "https://t.17track.net/zh-cn#nums=JD014600003828",
        "https://t.17track.net/zh-cn#nums=JD014600009999",
    ]
