"""Promo codes: staff create and manage them; a customer applies one at the review and is charged the
discounted total; refusals say why; a use is counted when the order is placed and given back when it ends
unpaid."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from handlers.app import ShopApp
from jobs.expire_reservations import expire_reservations
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
def config(config):
    """Every way to pay is offered."""
    methods = (PaymentMethod.CASH, PaymentMethod.TELEGRAM, PaymentMethod.STRIPE)
    return dataclasses.replace(config, payment_methods=methods)


@pytest.fixture
def ann(shop, clock, config) -> StaffChat:
    return StaffChat(ShopApp(shop, clock, config, merchant=desk_for()), ANN, "Ann", chat_id=ANN)


async def _apply(chat: Chat, code: str) -> None:
    await chat.press("Have a code?")
    assert "Type your promo code" in chat.text
    await chat.send(code)


async def _review_with(chat: Chat, shop, cart: dict[str, int], code: str) -> None:
    """From a filled cart to the review, then the code typed at "Have a code?"."""
    await fill_cart(shop, chat.user_id, cart)
    await check_out(chat)
    await _apply(chat, code)


async def test_a_percent_code_takes_its_share_off_the_review_and_the_cash_order(alice, ann, shop):
    await ann.command("promo", "create spring10 10%")
    assert "Created SPRING10: 10% off." in ann.text
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 2})  # $18.00 + $5.00 delivery
    await check_out(alice)
    await _apply(alice, "spring10")
    assert "Discount (SPRING10): −$1.80" in alice.text and "Total: $21.20" in alice.text
    await alice.press("Pay: Cash on delivery")
    assert "Discount (SPRING10): −$1.80" in alice.text and "have $21.20 ready" in alice.text
    [order] = shop.state.orders.values()
    assert (order.total, order.promo_code) == (Money(2120, "USD"), "SPRING10")
    assert shop.state.promos["SPRING10"].uses == 1


async def test_the_telegram_invoice_charges_the_discounted_total(alice, ann, shop):
    await ann.command("promo", "create FIVE 5.00")
    chat = alice
    await fill_cart(shop, chat.user_id, {"TEA-OOLONG": 1})  # $15.00 + $5.00
    await check_out(chat)
    await _apply(chat, "five")
    await chat.press("Pay in Telegram")
    invoice = chat.invoice()
    assert ("Discount FIVE", -500) in invoice.prices
    assert sum(amount for _label, amount in invoice.prices) == 1500
    await chat.precheckout(invoice)
    assert chat.last.precheckout_ok
    await chat.pay(invoice)
    [order] = shop.state.orders.values()
    assert order.status is OrderStatus.PAID and order.total == Money(1500, "USD")
    receipt = [m.payload["text"] for m in shop.state.outbox if "Payment received" in m.payload["text"]]
    assert "Discount (FIVE): −$5.00" in receipt[0] and "Total paid: $15.00" in receipt[0]


@pytest.mark.parametrize(
    ("create", "cart", "refusal"),
    [
        (None, {"TEA-BLACK": 1}, "There is no code NOPE"),
        ("NOPE 10% until=2025-12-31", {"TEA-BLACK": 1}, "The code NOPE is not valid at the moment"),
        ("NOPE 10% from=2026-02-01", {"TEA-BLACK": 1}, "The code NOPE is not valid at the moment"),
        ("NOPE 10% min=50", {"TEA-BLACK": 1}, "The code NOPE needs a subtotal of at least $50.00"),
        ("NOPE 10% categories=cups", {"TEA-BLACK": 1}, "is not valid for the products in your cart"),
        ("NOPE 10% skus=TEA-GREEN", {"TEA-BLACK": 1}, "is not valid for the products in your cart"),
    ],
)
async def test_a_code_that_does_not_apply_is_refused_with_the_reason(alice, ann, shop, create, cart, refusal):
    if create:
        await ann.command("promo", f"create {create}")
        assert "Created NOPE" in ann.text
    await fill_cart(shop, alice.user_id, cart)
    await check_out(alice)
    await _apply(alice, "nope")
    assert refusal in alice.text and "Type your promo code" in alice.text
    await alice.press("Back")
    assert "Please check your order:" in alice.text and "Discount" not in alice.text


async def test_a_used_up_code_is_refused_and_a_paused_one_too(alice, bob, ann, shop):
    await ann.command("promo", "create ONCE 10% uses=1")
    await _review_with(alice, shop, {"TEA-BLACK": 1}, "ONCE")
    await alice.press("Pay: Cash on delivery")
    await _review_with(bob, shop, {"TEA-BLACK": 1}, "ONCE")
    assert "The code ONCE has been used up." in bob.text
    await ann.command("promo", "create LATER 10%")
    await ann.command("promo", "pause LATER")
    await bob.press("Back")
    await _apply(bob, "later")
    assert "The code LATER is not valid at the moment" in bob.text
    await ann.command("promo", "resume LATER")
    await bob.send("later")
    assert "Discount (LATER): −$0.90" in bob.text


async def test_a_use_comes_back_when_the_order_expires_unpaid(alice, ann, shop, clock, config):
    await ann.command("promo", "create ONCE 10% uses=1")
    await _review_with(alice, shop, {"TEA-BLACK": 1}, "ONCE")
    await alice.press("Pay: Card")
    assert shop.state.promos["ONCE"].uses == 1
    clock.advance(minutes=config.reservation_minutes + 1)
    await expire_reservations(shop, clock)
    [order] = shop.state.orders.values()
    assert order.status is OrderStatus.PAYMENT_EXPIRED
    assert shop.state.promos["ONCE"].uses == 0
    await expire_reservations(shop, clock)  # run again: given back once only
    assert shop.state.promos["ONCE"].uses == 0


async def test_a_use_comes_back_when_the_customer_cancels_before_paying(alice, ann, shop):
    await ann.command("promo", "create ONCE 10% uses=1 per=1")
    await _review_with(alice, shop, {"TEA-BLACK": 1}, "ONCE")
    await alice.press("Pay: Cash on delivery")
    await alice.press("View order")
    await alice.press("Cancel order")
    await alice.press("Yes, cancel it")
    [order] = shop.state.orders.values()
    assert order.status is OrderStatus.CANCELLED
    assert shop.state.promos["ONCE"].uses == 0
    # per=1 counts orders that kept the code, not the cancelled one
    await _review_with(alice, shop, {"TEA-BLACK": 1}, "ONCE")
    assert "Discount (ONCE)" in alice.text


async def test_one_customer_cannot_use_a_once_per_customer_code_twice(alice, ann, shop):
    await ann.command("promo", "create WELCOME 5.00 per=1")
    for _round in range(2):
        await fill_cart(shop, alice.user_id, {"TEA-OOLONG": 1})
        await check_out(alice)
        await _apply(alice, "welcome")
        if "Discount" in alice.text:
            await alice.press("Pay: Cash on delivery")
    assert "You have already used the code WELCOME as often as it allows." in alice.text


async def test_staff_list_and_report_a_code(alice, ann, shop):
    await ann.command("promo", "create SPRING10 10% uses=100 until=2026-12-31")
    await _review_with(alice, shop, {"TEA-BLACK": 2}, "SPRING10")
    await alice.press("Pay: Cash on delivery")
    await ann.command("promo")
    assert "SPRING10: 10% · used 1/100 · ends 2026-12-31 · active" in ann.text
    await ann.command("promo", "report SPRING10")
    assert "SPRING10: 1 order, $1.80 discount given, $21.20 revenue." in ann.text


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("create X 10%", "A code is 3 to 20 letters"),
        ("create BIG 150%", "the discount is 1% to 100%"),
        ("create BIG 0%", "the discount is 1% to 100%"),
        ("create BIG five", "the discount is 1% to 100%, or an amount"),
        ("create BIG 10% until=2026-13-01", "dates are written 2026-12-31"),
        ("create BIG 10% from=2026-05-01 until=2026-04-01", "until= must be on or after from="),
        ("create BIG 10% uses=0", "uses= and per= are whole numbers"),
        ("create BIG 10% colour=red", "I do not know “colour=red”"),
        ("pause NONE", "There is no code NONE"),
    ],
)
async def test_staff_mistakes_get_one_clear_line_and_nothing_is_stored(ann, shop, args, problem):
    await ann.command("promo", args)
    assert problem in ann.text
    assert "BIG" not in shop.state.promos


async def test_only_staff_may_manage_codes(shop, clock, config, alice):
    intruder = StaffChat(ShopApp(shop, clock, config, merchant=desk_for()), 4242, "Eve", chat_id=4242)
    await intruder.command("promo", "create FREE 100%")
    assert "for shop staff only" in intruder.text
    assert shop.state.promos == {}


async def test_a_discounted_card_order_sends_stripe_no_negative_price(alice, ann, shop, payments):
    await ann.command("promo", "create FIVE 5.00")
    await _review_with(alice, shop, {"TEA-OOLONG": 2}, "FIVE")
    await alice.press("Pay: Card")
    [order] = shop.state.orders.values()
    assert order.total == Money(3000 - 500 + 500, "USD")
    assert f"Pay {order.total}" in " ".join(alice.labels())
    assert order.reserved_until - order.placed_at == timedelta(minutes=30)


async def test_a_late_payment_of_an_expired_order_counts_its_code_again(alice, ann, shop, clock, config):
    await ann.command("promo", "create LATE 10% uses=5")
    await _review_with(alice, shop, {"TEA-BLACK": 1}, "LATE")
    await alice.press("Pay in Telegram")
    invoice = alice.invoice()
    clock.advance(minutes=config.reservation_minutes + 1)
    await expire_reservations(shop, clock)
    assert shop.state.promos["LATE"].uses == 0
    await alice.pay(invoice)  # the money arrived after all: the order is paid, its code counts again
    [order] = shop.state.orders.values()
    assert order.status is OrderStatus.PAID and shop.state.promos["LATE"].uses == 1
