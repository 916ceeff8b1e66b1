"""How orders read: a pickup order never promises shipping or cash on delivery, delivery options and
receipts read naturally, and a Chinese-speaking customer reads the shop's delivery options in Chinese."""

from __future__ import annotations

import dataclasses

import pytest

from domain.money import Money
from domain.order_status import PaymentMethod
from handlers.kernel.config import DeliveryOption
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
def config(config):
    options = (
        DeliveryOption("standard", "Standard (3-5 days)", Money(500, "USD"), label_zh="标准快递（3-5 天）"),
        DeliveryOption(
            "pickup", "Pickup in store", Money(0, "USD"), needs_address=False, label_zh="到店自取"
        ),
    )
    methods = (PaymentMethod.CASH, PaymentMethod.TELEGRAM)
    return dataclasses.replace(config, delivery_options=options, payment_methods=methods)


async def test_a_pickup_order_never_says_cash_on_delivery_or_ships(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice, delivery="Pickup")
    assert "Pay: Cash at pickup" in alice.labels()
    await alice.press("Cash at pickup")
    assert "please have $9.00 ready" in alice.text and "tells you when it is ready to collect" in alice.text
    for wrong in ("cash on delivery", "ships", "ship it"):
        assert wrong not in alice.text.lower()


async def test_a_delivered_order_reads_naturally_and_keeps_cash_on_delivery(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice, delivery="Standard")
    assert "Delivery: Standard (3-5 days) $5.00" in alice.text
    await alice.press("Cash on delivery")
    assert "Payment: cash on delivery" in alice.text and "packs and ships it" in alice.text


async def test_the_receipt_reads_naturally_and_a_paid_pickup_is_not_shipped(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    await alice.press("Pay in Telegram")
    await alice.pay(alice.invoice())
    receipt = [m.payload["text"] for m in shop.state.outbox if "Payment received" in m.payload["text"]][-1]
    assert "Delivery: Standard (3-5 days) — $5.00" in receipt and "Delivery (" not in receipt
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice, delivery="Pickup")
    await alice.press("Pay in Telegram")
    await alice.pay(alice.invoice(), charge="tg_charge_2")
    receipt = [m.payload["text"] for m in shop.state.outbox if "Payment received" in m.payload["text"]][-1]
    assert "We will tell you when it is ready to collect." in receipt and "ships" not in receipt


async def test_a_chinese_customer_reads_delivery_options_in_chinese(app, shop, config):
    wang = Chat(app, 333, language_code="zh")
    await fill_cart(shop, wang.user_id, {"TEA-BLACK": 1})
    await wang.command("checkout")
    await wang.send("王小明")
    await wang.send("138 0013 8000")
    assert "标准快递（3-5 天） · US$5.00" in wang.labels() and "到店自取 · US$0.00" in wang.labels()
    await wang.press("到店自取")
    assert "到店自取" in wang.text
    await wang.press("在 Telegram 内付款")
    assert ("到店自取", 0) not in wang.invoice().prices  # a free option adds no price line
    assert "到店自取" in wang.invoice().description
