"""What each payment provider is sent, per currency: the official Stripe SDK against the fake Stripe API
(which refuses what Stripe refuses), and signed webhooks read back into the order's money."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.money import Money
from domain.order import DeliveryChoice, Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.services import place_order
from tests.fakes.card_link import card_checkout_reply
from tests.fakes.payment_shop import CUSTOMER
from tests.fakes.stripe_shop import Shop, open_shop

NUMBERS = count(1)

# currency, unit price, quantity, delivery fee, unit_amounts Stripe receives (one per line), amount_total
STRIPE_TABLE = [
    ("USD", "12.50", 2, "5.00", [1250, 500], 3000),
    ("EUR", "12.50", 2, "5.00", [1250, 500], 3000),
    ("CNY", "12.50", 2, "5.00", [1250, 500], 3000),
    ("JPY", "5000", 1, "500", [5000, 500], 5500),  # zero-decimal: whole yen
    ("KRW", "15000", 2, "3000", [15000, 3000], 33000),
    ("MGA", "5000", 1, "1000", [5000, 1000], 6000),  # ISO: two decimals; Stripe: zero-decimal
    ("UGX", "5000", 1, "1000", [5000, 1000], 6000),
    ("ISK", "1000", 1, "500", [100000, 50000], 150000),  # shown without decimals, sent with two
    ("HUF", "1990", 1, "500", [199000, 50000], 249000),
    ("HUF", "1234.56", 1, "500", [173500], 173500),  # whole forints only: one line, 1734.56 → 1735
    ("TWD", "99.50", 1, "60", [16000], 16000),  # whole dollars only: 159.50 → 160
    ("KWD", "5.120", 1, "1.000", [5120, 1000], 6120),  # thousandths
    ("KWD", "5.124", 1, "1.000", [6120], 6120),  # last digit 0: 6.124 → 6.120, one line
    ("BHD", "2.255", 2, "0.500", [5010], 5010),  # 5.010 exactly: 2 × 2.255 + 0.500, sent as one line
]


async def _order_in(shop: Shop, currency: str, price: str, quantity: int, fee: str) -> Order:
    async with shop.factory() as uow:
        await uow.products.add(Product("tea", "Tea", "misc", Money.parse(price, currency)))
        await uow.stocks.add(StockLevel("tea", on_hand=10))
        cart = await uow.carts.get(CUSTOMER)
        cart.add("tea", quantity)
        await uow.carts.save(cart, now=shop.clock.now())
        order, _ = await place_order(
            uow,
            customer_id=CUSTOMER,
            delivery=DeliveryChoice("standard", "Standard", Money.parse(fee, currency)),
            payment_method=PaymentMethod.STRIPE,
            address=None,
            now=shop.clock.now(),
            reservation=timedelta(minutes=30),
            number_factory=lambda: f"C{next(NUMBERS):02d}-CURR",
        )
        await card_checkout_reply(uow, shop.gateway, order, shop.clock.now())
        await uow.commit()
    return order


@pytest.mark.parametrize(("currency", "price", "quantity", "fee", "unit_amounts", "total"), STRIPE_TABLE)
async def test_stripe_is_sent_its_own_integers_and_the_payment_reads_back_as_the_order_total(
    currency: str, price: str, quantity: int, fee: str, unit_amounts: list[int], total: int
):
    async with open_shop(currency=currency) as shop:
        order = await _order_in(shop, currency, price, quantity, fee)
        [session] = shop.stripe.sessions.values()
        sent = [int(item["price_data"]["unit_amount"]) for item in session["line_items_sent"]]
        assert (sent, session["amount_total"], session["currency"]) == (unit_amounts, total, currency.lower())

        answer = await shop.post(shop.stripe.pay(session["id"]))
        assert answer.status_code == 200 and answer.text == "paid"
        paid = shop.order(order.number)
        assert paid.status is OrderStatus.PAID

        await shop.gateway.refund(paid, paid.total)  # a full refund gives back exactly what was charged
        [refund] = shop.stripe.refunds.values()
        assert refund["amount"] == total


async def test_a_stripe_payment_short_of_the_rounded_total_is_not_accepted():
    async with open_shop(currency="KWD") as shop:
        order = await _order_in(shop, "KWD", "5.124", 1, "1.000")
        [session] = shop.stripe.sessions.values()
        answer = await shop.post(shop.stripe.pay(session["id"], amount_total=6110))
        assert answer.text == "mismatch" and shop.order(order.number).status is OrderStatus.PLACED
