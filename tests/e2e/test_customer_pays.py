"""A customer pays for what they checked out, over the conversation wired as bot/ wires it: the real
StripeGateway (official SDK) against the fake Stripe API, signed webhooks to the real HTTP server."""

from __future__ import annotations

import dataclasses

import pytest

from bot.providers.stripe_gateway import StripeGateway
from bot.wiring.payments import PaymentServices
from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption, ShopConfig
from handlers.kernel.status_text import method_label
from tests.fakes.payment_shop import MERCHANT_CHAT, stock
from tests.fakes.stripe_shop import Shop, open_shop
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
async def shop():
    async with open_shop(telegram_payment_provider_token="284685063:TEST:shopbot") as opened:
        await stock(opened.factory, mug=5)
        yield opened


def _app(shop: Shop, payments: PaymentServices) -> ShopApp:
    """As bot/ builds it: see bot/wiring/payments.py."""
    config = ShopConfig(
        shop_name="Mug Shop",
        currency="USD",
        delivery_options=(DeliveryOption("standard", "Standard", Money(500, "USD")),),
        payment_methods=payments.methods,
        merchant_chat_id=MERCHANT_CHAT,
    )
    return ShopApp(
        shop.factory, shop.clock, config, payments=payments.starters(), payment_events=payments.telegram
    )


@pytest.fixture
def app(shop: Shop) -> ShopApp:
    return _app(shop, shop.payments)


async def _review(app: ShopApp, shop: Shop, user_id: int, language_code: str = "en") -> Chat:
    chat = Chat(app, user_id, language_code=language_code)
    await fill_cart(shop.factory, user_id, {"mug": 2})
    await check_out(chat)
    return chat


def _order(shop: Shop, user_id: int):
    [order] = [o for o in shop.factory.state.orders.values() if o.customer_id == user_id]
    return order


def _sent(shop: Shop, chat_id: int, number: str) -> list[str]:
    return [
        m.payload["text"]
        for m in shop.factory.state.outbox
        if m.chat_id == chat_id and number in m.dedupe_key
    ]


async def test_customer_pays_by_card_and_stripes_webhook_marks_the_order_paid(app, shop: Shop):
    alice = await _review(app, shop, 501)
    assert set(alice.labels()) >= {"Pay: Card (online)", "Pay: Pay in Telegram", "Pay: Cash on delivery"}
    await alice.press("Card")
    [session_id] = shop.stripe.sessions
    assert alice.link("Pay $30.00") == shop.stripe.sessions[session_id]["url"]
    assert "What happens next" in alice.text
    order = _order(shop, 501)
    assert shop.stripe.sessions[session_id]["metadata"] == {"order_number": order.number}

    event = shop.stripe.pay(session_id)
    answers = [await shop.post(event), await shop.post(event)]  # Stripe delivers at least once
    assert [a.status_code for a in answers] == [200, 200]
    assert _order(shop, 501).status is OrderStatus.PAID
    [receipt] = _sent(shop, 501, order.number)
    assert receipt.startswith(f"Payment received, thank you! Order {order.number}") and "$30.00" in receipt
    [card] = _sent(shop, MERCHANT_CHAT, order.number)
    assert card.startswith(f"Order {order.number} — Paid")


async def test_chinese_customer_pays_by_card_in_chinese(app, shop: Shop):
    wang = await _review(app, shop, 502, "zh-hans")
    await wang.press(method_label(PaymentMethod.STRIPE, "zh"))
    [session_id] = shop.stripe.sessions
    assert wang.link("💳 支付 US$30.00") == shop.stripe.sessions[session_id]["url"]
    assert "请在安全的 Stripe 页面上用银行卡付款。" in wang.text
    await shop.post(shop.stripe.pay(session_id))
    [receipt] = _sent(shop, 502, _order(shop, 502).number)
    assert receipt.startswith("已收到付款，谢谢！") and "实付：US$30.00" in receipt


async def test_customer_pays_a_telegram_invoice(app, shop: Shop):
    bob = await _review(app, shop, 503)
    await bob.press("Pay in Telegram")
    invoice = bob.invoice()
    assert invoice.prices == (("Mug × 2", 2500), ("Standard", 500))
    assert (await bob.precheckout(invoice)).precheckout_ok is True
    await bob.pay(invoice)
    order = _order(shop, 503)
    assert order.status is OrderStatus.PAID
    assert len(_sent(shop, 503, order.number)) == len(_sent(shop, MERCHANT_CHAT, order.number)) == 1


async def test_cash_on_delivery_reaches_the_shop_as_one_card(app, shop: Shop):
    carol = await _review(app, shop, 504)
    await carol.press("Cash on delivery")
    order = _order(shop, 504)
    assert order.status is OrderStatus.PLACED and "is placed!" in carol.text
    [card] = _sent(shop, MERCHANT_CHAT, order.number)
    assert "Cash on delivery" in card and shop.stripe.sessions == {}


async def test_when_stripe_refuses_the_link_the_order_is_undone_and_another_way_to_pay_works(shop: Shop):
    broken = StripeGateway.connect("sk_test_revoked", shop.stripe_api_url, "https://shop.example", shop.clock)
    app = _app(shop, dataclasses.replace(shop.payments, gateway=broken))
    dave = await _review(app, shop, 505)
    cash = dave.find("Cash on delivery").action or ""
    refused = await dave.press("Card")
    await broken.aclose()
    assert refused.alert and "this order was cancelled and your cart is kept" in refused.answer
    [undone] = shop.factory.state.orders.values()  # committed before Stripe was asked, then cancelled
    assert undone.status is OrderStatus.CANCELLED and shop.factory.state.payment_attempts == []
    assert shop.factory.state.stocks["mug"].reserved == 0 and _sent(shop, 505, undone.number) == []
    assert shop.factory.state.carts[505].lines == {"mug": 2}
    await dave.press_data(cash)  # the review message it was pressed on stays, and still works
    [order] = [o for o in shop.factory.state.orders.values() if o.status is OrderStatus.PLACED]
    assert order.payment_method is PaymentMethod.CASH
