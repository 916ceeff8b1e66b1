"""Counts read naturally ("1 minute", "1 unit is reserved", "1 order"), nothing says "only 0", and a
Chinese-speaking customer is told what sold out by its Chinese name."""

from __future__ import annotations

import dataclasses

import pytest

from domain.order_status import PaymentMethod
from handlers.app import ShopApp
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat, check_out, fill_cart, place_order


@pytest.fixture
def carol(shop, clock, config, payments) -> Chat:
    card = dataclasses.replace(config, payment_methods=(PaymentMethod.STRIPE,))
    return Chat(ShopApp(shop, clock, card, payments=payments.starters()), 444, name="Carol")


async def test_a_hold_with_one_minute_left_says_one_minute(carol: Chat, shop, clock):
    await fill_cart(shop, carol.user_id, {"TEA-BLACK": 1})
    await check_out(carol)
    await carol.press("Card (online)")
    [number] = shop.state.orders
    clock.advance(minutes=29)
    await carol.command("orders")
    await carol.press(number)
    await carol.press("Pay now")
    assert "Your items are held for 1 minute." in carol.text


async def test_stock_below_one_reserved_unit_says_one_unit(shop, clock, config):
    app = ShopApp(shop, clock, config, merchant=desk_for())
    await place_order(Chat(app, 445), shop, {"TEA-OOLONG": 1})
    ann = StaffChat(app, ANN, "Ann", chat_id=ANN)
    await ann.command("products", "Oolong")
    await ann.press("Oolong tea")
    await ann.press("✏ Stock")
    await ann.send("0")
    assert "TEA-OOLONG: 1 unit is reserved by orders; on hand cannot go below that." in ann.text
    assert shop.state.stocks["TEA-OOLONG"].on_hand == 20


async def test_a_chinese_customer_is_told_what_sold_out_by_its_chinese_name(shop, clock, config):
    async with shop() as uow:
        green = await uow.products.get("TEA-GREEN")
        await uow.products.add(dataclasses.replace(green, name_zh="静冈煎茶"))
        await uow.commit()
    wang = Chat(ShopApp(shop, clock, config), 446, language_code="zh-hans")
    await fill_cart(shop, 446, {"TEA-GREEN": 1})
    await check_out(wang)
    shop.state.stocks["TEA-GREEN"].set_on_hand(0)  # the last one went to someone else meanwhile
    await wang.press("货到付款")
    assert "静冈煎茶" in wang.text and "Green tea" not in wang.text
    assert "only 0" not in wang.text.lower()
