"""A Chinese-speaking customer reads Chinese product names and delivery labels everywhere after the order is
placed: the Telegram invoice, the Stripe Checkout lines (and Stripe's page), the receipt, /orders and the
order's detail with its tracking link. `shopbot run` (polling) on both runtimes, SQLite, against the fake
Bot API and the fake Stripe API on loopback; the catalog is examples/catalog.csv (it has Chinese names)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import UtcClock
from bot.http.server import start_http_server
from bot.processes.web import RunOptions, run_bot
from domain.actor import Actor
from domain.order import Order
from domain.order_status import OrderStatus
from domain.services import change_status
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.telegram_chat import TelegramChat
from tests.fakes.stripe_api import FakeStripe, post_event
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.webhook import STRIPE_WEBHOOK_SECRET, free_port, shop_settings, stripe_settings

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"
WANG = 7301
JASMINE = "茉莉龙珠 50 克"
LONGJING = "西湖龙井绿茶 100 克"
STANDARD = "标准快递（3-5 天）"


@dataclass
class Running:
    telegram: FakeTelegram
    stripe: FakeStripe
    database_url: str
    port: int

    async def stripe_webhook(self, event: dict) -> int:
        return (await post_event(f"http://127.0.0.1:{self.port}", event, STRIPE_WEBHOOK_SECRET)).status_code

    async def orders(self) -> list[Order]:
        engine = create_engine(self.database_url)
        try:
            async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
                return await uow.orders.list_for_customer(WANG)
        finally:
            await dispose(engine)

    async def ship(self, number: str, tracking: str) -> None:
        """Staff accept, pack and ship the order (as the merchant desk would)."""
        engine = create_engine(self.database_url)
        staff, now = Actor.staff(900), datetime.now(UTC)
        try:
            async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
                order = await uow.orders.get_for_update(number)
                assert order is not None
                for step in (OrderStatus.ACCEPTED, OrderStatus.PACKED):
                    await change_status(uow, order, step, staff, now)
                await change_status(uow, order, OrderStatus.SHIPPED, staff, now, shipment=("DHL", tracking))
                await uow.commit()
        finally:
            await dispose(engine)


async def _stocked(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade_with(engine)
        async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            rows = parse_catalog(CATALOG.read_text(encoding="utf-8"), "USD")
            await import_catalog(uow, rows, actor=Actor.system("test"), now=datetime.now(UTC))
            await uow.commit()
    finally:
        await dispose(engine)


@pytest.fixture(params=["ptb", "aiogram"])
async def running(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Running]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await _stocked(database_url)
    stripe = FakeStripe(UtcClock())
    stripe_runner = await start_http_server(stripe.app, "127.0.0.1", 0)
    telegram = await FakeTelegram().start()
    port = free_port()
    settings = shop_settings(
        database_url,
        telegram,
        port,
        **stripe_settings(stripe, stripe_runner),
        telegram_payment_provider_token="284685063:TEST:shopbot",
        outbox_poll_seconds=0.1,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, RunOptions(request.param, "polling"), stop=stop))
    try:
        await telegram.wait_until_asked("getUpdates", timeout=30)
        yield Running(telegram, stripe, database_url, port)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await telegram.close()
        await stripe_runner.cleanup()


async def _buy_now(wang: TelegramChat, start: str, product: str, *, then: str) -> None:
    await wang.send(f"/start {start}", then=product)
    await wang.press("立即购买", then=then)


async def test_a_chinese_customer_reads_chinese_names_on_invoice_receipt_orders_and_stripe(running: Running):
    telegram = running.telegram
    wang = TelegramChat(telegram, WANG, language_code="zh-hans")
    await _buy_now(wang, "p_TEA-JAS-50", JASMINE, then="结算 1/4")
    await wang.send("王芳", then="结算 2/4")
    await wang.send("+86 138 0013 8000", then="结算 3/4")
    await wang.press("标准快递", then="结算 4/4")
    await wang.send("1 Jianguomenwai Ave, Beijing, 100022, 中国", then="合计：US$17.90")
    await telegram.press(WANG, *wang.button_data("在 Telegram 内付款"))
    invoice = (await telegram.wait_for("sendInvoice", lambda p: int(p["chat_id"]) == WANG)).params
    await wang.sees("商品为您保留 30 分钟。\n请用下方的账单付款")  # the invoice's words, just before it
    [order] = await running.orders()
    assert invoice["title"] == f"订单 {order.number}"
    assert JASMINE in invoice["description"] and STANDARD in invoice["description"]
    assert [p["label"] for p in invoice["prices"]] == [f"{JASMINE} × 1", STANDARD]

    await telegram.pre_checkout(WANG, invoice["payload"], "USD", 1790)
    assert (await telegram.wait_for("answerPreCheckoutQuery")).params["ok"] is True
    await telegram.pay(WANG, invoice["payload"], "USD", 1790)
    receipt = await wang.sees(f"已收到付款，谢谢！订单 {order.number}", timeout=15)
    assert f"1 × {JASMINE}: US$12.90" in receipt and f"配送：{STANDARD} — US$5.00" in receipt

    await running.ship(order.number, "JD014600003828")
    await wang.send("/orders", then="您最近的订单：")
    await wang.press(order.number, then=f"订单 {order.number}")
    detail = await wang.sees(f"• {JASMINE} × 1 = US$12.90")
    assert f"配送：{STANDARD} US$5.00" in detail
    assert "https://t.17track.net/zh-cn#nums=JD014600003828" in detail

    await _buy_now(wang, "p_TEA-LJ-100", LONGJING, then=f"• {LONGJING} × 1")  # returning: to the review
    await wang.press("在线刷卡", then="💳 支付 US$23.50")
    [session] = running.stripe.sessions.values()
    names = [item["price_data"]["product_data"]["name"] for item in session["line_items_sent"]]
    assert names == [LONGJING, STANDARD] and session["locale"] == "zh"
    assert await running.stripe_webhook(running.stripe.pay(session["id"])) == 200
    paid = await wang.sees("已收到付款", since=len(wang._shown()) - 1, timeout=15)
    assert f"1 × {LONGJING}: US$18.50" in paid
