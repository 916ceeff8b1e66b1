"""Telegram invoices per currency, through `shopbot run` (webhook mode, python-telegram-bot) against the fake
Bot API: the prices Telegram receives are in the `exp` of its currency list, the pre-checkout check and the
successful payment read them back, and a currency Telegram does not take is not offered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.processes.web import RunOptions, run_bot
from domain.actor import Actor
from domain.order_status import OrderStatus
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.shops.webhook import (
    Shopper,
    WebhookTelegram,
    checkout_journey,
    free_port,
    post_update,
    shop_settings,
    started,
)

PROVIDER_TOKEN = "284685063:TEST:shopbot"
BUYER = 7001

# currency, tea price, delivery fee, the invoice's prices as Telegram receives them
TABLE = [
    ("USD", "12.50", "5.00", [1250, 500]),
    ("EUR", "12.50", "5.00", [1250, 500]),
    ("CNY", "12.50", "5.00", [1250, 500]),
    ("JPY", "5000", "500", [5000, 500]),
    ("KRW", "15000", "3000", [15000, 3000]),
    ("ISK", "1000", "500", [1000, 500]),  # exp 0 for Telegram (Stripe would want 100000)
    ("HUF", "1990.50", "500", [199050, 50000]),  # exp 2
]


async def _stocked(url: str, currency: str, price: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_with(engine)
        rows = parse_catalog(
            "sku,name,category,price,stock,safety_stock,description,photo\n"
            f"TEA-GREEN,Green tea,Tea,{price},50,2,Sencha from Shizuoka,\n",
            currency,
        )
        async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            await import_catalog(uow, rows, actor=Actor.system("test"), now=datetime.now(UTC))
            await uow.commit()
    finally:
        await dispose(engine)


async def _status(url: str) -> OrderStatus:
    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            [order] = (await uow.orders.list_for_customer(BUYER))[:1]
            return order.status
    finally:
        await dispose(engine)


@asynccontextmanager
async def _shop(tmp_path: Path, currency: str, price: str, fee: str) -> AsyncIterator[WebhookTelegram]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await _stocked(url, currency, price)
    port = free_port()

    async def deliver(update: dict) -> None:
        assert await post_update(f"http://127.0.0.1:{port}", update) == 200

    telegram = await WebhookTelegram(deliver).start()
    delivery = [
        {"code": "standard", "label": "Standard", "price": fee},
        {"code": "pickup", "label": "Pickup", "price": "0", "needs_address": False},
    ]
    settings = shop_settings(
        url,
        telegram,
        port,
        currency=currency,
        delivery_options=delivery,
        telegram_payment_provider_token=PROVIDER_TOKEN,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_bot(settings, RunOptions("ptb", "webhook", jobs=False), stop=stop))
    await started(running, telegram)
    try:
        telegram.database_url = url  # type: ignore[attr-defined]
        yield telegram
    finally:
        stop.set()
        await running
        await telegram.close()


def _to_payment(currency: str) -> list:
    address = "1 Elm St, Town, 10115, US"
    return checkout_journey("Green tea", name="Bo", phone="+1 202 555 0199", address=address)[:-1]


@pytest.mark.parametrize(("currency", "price", "fee", "prices"), TABLE)
async def test_telegram_receives_invoice_prices_in_its_exp_and_the_payment_settles_the_order(
    tmp_path: Path, currency: str, price: str, fee: str, prices: list[int]
):
    async with _shop(tmp_path, currency, price, fee) as telegram:
        buyer = Shopper(telegram, BUYER)
        await buyer.walk(_to_payment(currency))
        message_id, data = buyer._button("Pay in Telegram")
        await telegram.press(BUYER, message_id, data)
        invoice = (await telegram.wait_for("sendInvoice")).params
        assert invoice["currency"] == currency
        assert [p["amount"] for p in invoice["prices"]] == prices

        total = sum(prices)
        await telegram.pre_checkout(BUYER, invoice["payload"], currency, total)
        answer = await telegram.wait_for("answerPreCheckoutQuery")
        assert answer.params["ok"] is True
        await telegram.pay(BUYER, invoice["payload"], currency, total)
        for _ in range(400):  # the successful payment is handled from the inbox
            if await _status(telegram.database_url) is OrderStatus.PAID:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.025)
        assert await _status(telegram.database_url) is OrderStatus.PAID  # type: ignore[attr-defined]


@pytest.mark.parametrize(("currency", "price"), [("KWD", "5.120"), ("MGA", "5000")])
async def test_a_currency_telegram_does_not_take_is_not_offered_as_a_telegram_invoice(
    tmp_path: Path, currency: str, price: str
):
    async with _shop(tmp_path, currency, price, "1") as telegram:
        buyer = Shopper(telegram, BUYER)
        review = await buyer.walk(_to_payment(currency))
        labels = [b["text"] for row in review.params["reply_markup"]["inline_keyboard"] for b in row]
        assert labels and not [label for label in labels if "Telegram" in label]
