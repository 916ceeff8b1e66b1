"""From the checkout review to a paid order: the way to pay the customer picks starts the payment."""

from __future__ import annotations

import dataclasses

import pytest

from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.attempts import AttemptOutcome
from handlers.app import ShopApp
from handlers.customer.checkout.steps import Step
from handlers.kernel.reply import Invoice
from handlers.kernel.status_text import method_label
from jobs.expire_reservations import expire_reservations
from tests.fakes.payment_shop import FakeGateway
from tests.unit.chat import Chat, check_out, fill_cart
from tests.unit.conftest import MERCHANT_CHAT

ALL_METHODS = (PaymentMethod.STRIPE, PaymentMethod.TELEGRAM, PaymentMethod.CASH)


@pytest.fixture
def config(config):
    return dataclasses.replace(config, payment_methods=ALL_METHODS)


@pytest.fixture
def wang(app: ShopApp) -> Chat:
    return Chat(app, 333, language_code="zh-hans", name="王")


async def _at_review(chat: Chat, shop, **lines: int) -> Chat:
    await fill_cart(shop, chat.user_id, lines or {"TEA-BLACK": 2})
    await check_out(chat)
    return chat


async def _order(shop, user_id: int):
    async with shop() as uow:
        [order] = await uow.orders.list_for_customer(user_id)
        return order


def _for(messages, chat_id: int, number: str):
    return [m for m in messages if m.chat_id == chat_id and number in m.dedupe_key]


async def test_review_offers_every_way_to_pay_the_shop_has_set_up(alice: Chat, shop):
    await _at_review(alice, shop)
    assert {"Pay: Card (online)", "Pay: Pay in Telegram", "Pay: Cash on delivery"} <= set(alice.labels())


async def test_card_shows_a_pay_button_with_the_checkout_link_and_what_happens_next(
    alice: Chat, shop, payments, outbox
):
    await _at_review(alice, shop)
    await alice.press("Card")
    order = await _order(shop, alice.user_id)
    assert alice.link("Pay $23.00") == f"https://pay.example/{payments.gateway.checkouts[-1]}"
    assert f"Order {order.number}: $23.00" in alice.text and "held for 30 minutes" in alice.text
    assert "What happens next" in alice.text
    assert order.status is OrderStatus.PLACED and order.payment_method is PaymentMethod.STRIPE
    assert _for(outbox(), MERCHANT_CHAT, order.number) == []  # the shop hears of it once it is paid


class _BrokenGateway(FakeGateway):
    async def create_checkout(self, order, *, expires_at, language="en"):
        raise RuntimeError("a bug in the gateway")


async def test_a_card_link_that_fails_undoes_the_placed_order_and_keeps_the_cart_and_review(
    shop, clock, config, payments, outbox
):
    broken = dataclasses.replace(payments, gateway=_BrokenGateway())
    bob = Chat(ShopApp(shop, clock, config, payments=broken.starters()), 222, name="Bob")
    await _at_review(bob, shop)
    cash = bob.find("Cash on delivery").action or ""
    refused = await bob.press("Card")
    assert refused.alert and "something went wrong on our side" in refused.answer
    undone = await _order(shop, bob.user_id)
    assert undone.status is OrderStatus.CANCELLED and _for(outbox(), bob.user_id, undone.number) == []
    async with shop() as uow:
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 0
        assert await uow.payment_attempts.latest(undone.number) is None
        assert (await uow.carts.get(bob.user_id)).lines == {"TEA-BLACK": 2}
        assert (await uow.dialogs.get(bob.user_id))[0] == Step.REVIEW
    await bob.press_data(cash)  # the review it was pressed on still works
    assert "is placed!" in bob.text


async def test_telegram_invoice_is_in_minor_units_and_paying_it_marks_the_order_paid_once(
    alice: Chat, shop, outbox
):
    await _at_review(alice, shop)
    await alice.press("Pay in Telegram")
    invoice = alice.invoice()
    assert invoice.currency == "USD" and invoice.prices == (("Black tea × 2", 1800), ("Standard", 500))
    assert (await alice.precheckout(invoice)).precheckout_ok is True
    for _ in range(2):  # Telegram redelivers the update
        assert (await alice.pay(invoice)).replies == []
    order = await _order(shop, alice.user_id)
    assert order.status is OrderStatus.PAID and order.payment_ref == "tg_charge_1"
    async with shop() as uow:
        assert (await uow.payment_attempts.latest(order.number)).outcome is AttemptOutcome.SUCCEEDED
    [receipt] = _for(outbox(), alice.user_id, order.number)
    assert "Payment received, thank you!" in receipt.payload["text"] and "$23.00" in receipt.payload["text"]
    [card] = _for(outbox(), MERCHANT_CHAT, order.number)
    assert card.dedupe_key == f"order:{order.number}:card"


async def test_a_changed_total_is_refused_before_the_customer_is_charged(alice: Chat, shop):
    await _at_review(alice, shop)
    await alice.press("Pay in Telegram")
    refused = await alice.precheckout(alice.invoice(), total=100)
    assert refused.precheckout_ok is False and "total has changed" in refused.precheckout_error


async def test_cash_on_delivery_gives_the_shop_one_card_and_the_customer_one_confirmation(
    alice: Chat, shop, outbox
):
    await _at_review(alice, shop)
    await alice.press("Cash on delivery")
    order = await _order(shop, alice.user_id)
    assert "is placed!" in alice.text and "cash on delivery" in alice.text
    [card] = _for(outbox(), MERCHANT_CHAT, order.number)
    assert card.dedupe_key == f"order:{order.number}:card" and order.number in card.payload["text"]
    assert _for(outbox(), alice.user_id, order.number) == []


async def test_chinese_customer_is_asked_to_pay_refused_and_thanked_in_chinese(wang: Chat, shop, outbox):
    await _at_review(wang, shop)
    await wang.press(method_label(PaymentMethod.TELEGRAM, "zh"))
    order = await _order(shop, wang.user_id)
    invoice = wang.invoice()
    assert f"订单 {order.number}：US$23.00。商品为您保留 30 分钟。" in wang.text
    assert invoice.title == f"订单 {order.number}" and invoice.description.startswith("2 件商品")
    assert (await wang.precheckout(invoice, total=1)).precheckout_error == "订单金额已变更，请重新结算。"
    await wang.pay(invoice)
    [receipt] = _for(outbox(), wang.user_id, order.number)
    assert receipt.payload["text"].startswith(f"已收到付款，谢谢！订单 {order.number}")
    assert "实付：US$23.00" in receipt.payload["text"]
    [card] = _for(outbox(), MERCHANT_CHAT, order.number)
    assert card.payload["text"].startswith(f"Order {order.number}")  # the merchant reads English


async def test_chinese_customer_gets_a_chinese_card_link_and_expiry_notice(wang: Chat, shop, clock, outbox):
    await _at_review(wang, shop)
    await wang.press(method_label(PaymentMethod.STRIPE, "zh"))
    order = await _order(shop, wang.user_id)
    assert wang.link("💳 支付 US$23.00") and "接下来：付款成功后我会发给您收据" in wang.text
    clock.advance(minutes=31)
    assert await expire_reservations(shop, clock) == 1
    [notice] = _for(outbox(), wang.user_id, order.number)
    assert notice.payload["text"].startswith(f"订单 {order.number} 未在规定时间内付款")


async def test_payment_events_are_refused_in_the_customers_language_when_payments_are_off(
    shop, clock, config
):
    wang = Chat(ShopApp(shop, clock, config), 333, language_code="zh-hans")
    refused = await wang.precheckout(Invoice("Order", "", "order:NOPE-0000", "USD", (("Tea", 100),)))
    assert refused.precheckout_ok is False and refused.precheckout_error == "暂不支持付款。"
