"""Jobs that talk to the merchant chat or nudge customers, over in-memory storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.cart import Cart
from domain.catalog.products import Product
from domain.catalog.stock import StockLevel
from domain.customer import Customer
from domain.money import Money
from domain.order_status import OrderStatus, PaymentMethod
from jobs.abandoned_carts import AbandonedCarts
from jobs.complete_delivered import CompleteDelivered
from jobs.daily_report import DailyReport, previous_day
from jobs.low_stock import LowStockAlerts, alerts_for
from jobs.unanswered_orders import UnansweredOrders
from tests.fakes.memory import FakeStaleCarts
from tests.fakes.orders import ShopWorld, add_order
from tests.fakes.payment_shop import card_edits
from tests.unit.analytics.sample import SampleShopFigures

MERCHANT = -100500
CARD = 4242  # the id Telegram gave an order's card in the merchant chat


World = ShopWorld


async def test_low_stock_alerts_once_per_dip_and_again_after_a_restock():
    world = World()
    world.state.products["MUG"] = Product("MUG", "Blue mug", "kitchen", Money(1200, "USD"))
    world.state.stocks["MUG"] = StockLevel("MUG", on_hand=2, safety=5)
    job = LowStockAlerts(world.uow_factory, world.time, MERCHANT)
    await job.run()
    await job.run()
    [alert] = world.texts(MERCHANT)
    assert (
        "Blue mug" in alert and "available 2 · on hand 2 · reserved 0" in alert and "safety stock 5" in alert
    )
    assert "Restock" in alert
    async with world.uow_factory() as uow:  # restocked above the safety level, then a new dip
        level = await uow.stocks.get("MUG")
        level.restock(10)
        level.set_on_hand(1)
        await alerts_for(uow, level.events, MERCHANT, world.time.now())
        await uow.commit()
    await job.run()
    assert len(world.texts(MERCHANT)) == 2
    assert "available 1 · on hand 1" in world.texts(MERCHANT)[1]


async def test_healthy_stock_is_not_reported():
    world = World()
    world.state.stocks["MUG"] = StockLevel("MUG", on_hand=50, safety=5)
    assert await LowStockAlerts(world.uow_factory, world.time, MERCHANT).run() == 0


async def test_an_order_left_unaccepted_is_reminded_once():
    world = World()
    add_order(world.state, world.time, "PAID-0001", status=OrderStatus.PAID)
    add_order(world.state, world.time, "CASH-0001", status=OrderStatus.PLACED, method=PaymentMethod.CASH)
    add_order(world.state, world.time, "UNPD-0001", status=OrderStatus.PLACED)  # prepaid, not paid: not due
    job = UnansweredOrders(world.uow_factory, world.time, MERCHANT, timedelta(minutes=30))
    await job.run()
    assert world.texts(MERCHANT) == []  # not late yet
    world.time.advance(minutes=31)
    await job.run()
    world.time.advance(minutes=31)
    await job.run()
    reminders = world.texts(MERCHANT)
    assert len(reminders) == 2
    assert any("PAID-0001" in r for r in reminders) and any("CASH-0001" in r for r in reminders)


async def test_the_daily_report_sends_yesterdays_figures_in_the_lines_of_stats_once_a_day():
    world = World()
    world.time.set(datetime(2026, 3, 11, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
    figures = SampleShopFigures()
    job = DailyReport(world.uow_factory, figures, world.time, MERCHANT, "Asia/Shanghai")
    await job.run()
    await job.run()  # a second run the same day adds nothing
    [report] = world.texts(MERCHANT)
    assert report.startswith("📊 Yesterday, 10 Mar 2026")
    assert "Orders: 120 placed · 100 paid · 5 cancelled · 2 refunded" in report
    assert "Revenue: $12,345.00" in report
    assert "Payment success: 90.0 % (900 of 1,000 attempts)" in report
    assert "Low stock: 3 products" in report
    assert figures.windows[0] == previous_day(world.time.now(), "Asia/Shanghai")


def test_yesterday_is_the_shops_calendar_day():
    now = datetime(2026, 3, 11, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    window = previous_day(now, "Asia/Shanghai")
    assert window.days == (date(2026, 3, 10),)
    assert (window.start, window.end) == (
        datetime(2026, 3, 9, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
    )


async def test_an_abandoned_cart_is_reminded_once_and_only_to_customers_who_want_it():
    world = World()
    for cid, wants in ((1, True), (2, False)):
        world.state.customers[cid] = Customer(cid, "X", cart_reminders=wants)
        world.state.carts[cid] = Cart(cid, {"MUG": 2})
        world.state.cart_updated[cid] = world.time.now()
    job = AbandonedCarts(world.uow_factory, FakeStaleCarts(world.state), world.time, timedelta(hours=24))
    await job.run()
    assert world.texts(1) == []  # too early
    world.time.advance(hours=25)
    await job.run()
    world.time.advance(hours=1)
    await job.run()
    assert len(world.texts(1)) == 1 and "You left 2 items in your cart" in world.texts(1)[0]
    assert world.texts(2) == []


async def test_a_chinese_customer_is_reminded_of_one_item_in_chinese():
    world = World()
    world.state.customers[4] = Customer(4, "王", language="zh")
    world.state.carts[4] = Cart(4, {"MUG": 1})
    world.state.cart_updated[4] = world.time.now()
    world.time.advance(hours=25)
    await AbandonedCarts(world.uow_factory, FakeStaleCarts(world.state), world.time).run()
    assert world.texts(4) == ["您的购物车里还有 1 件商品，随时可以下单。"]


async def test_a_blocked_customer_gets_no_cart_reminder():
    world = World()
    world.state.customers[3] = Customer(3, "X", unreachable=True)
    world.state.carts[3] = Cart(3, {"MUG": 1})
    world.state.cart_updated[3] = world.time.now() - timedelta(hours=30)
    job = AbandonedCarts(world.uow_factory, FakeStaleCarts(world.state), world.time, timedelta(hours=24))
    assert await job.run() == 0


async def test_delivered_orders_complete_after_the_grace_period_without_a_complaint():
    world = World()
    add_order(world.state, world.time, "DLV-0001", status=OrderStatus.DELIVERED)
    add_order(world.state, world.time, "DLV-0002", status=OrderStatus.DELIVERED)
    world.state.orders["DLV-0002"].transition(
        OrderStatus.RETURNED, world.state.orders["DLV-0002"].timeline[0].actor, world.time.now()
    )
    job = CompleteDelivered(world.uow_factory, world.time, timedelta(days=7))
    assert await job.run() == 0
    world.time.advance(days=8)
    assert await job.run() == 1
    assert await job.run() == 0  # run twice: nothing more
    assert world.state.orders["DLV-0001"].status is OrderStatus.COMPLETED
    assert world.state.orders["DLV-0002"].status is OrderStatus.RETURNED


async def test_a_delivered_order_completing_by_itself_redraws_its_card_in_the_merchant_chat():
    world = World()
    add_order(world.state, world.time, "DLV-0003", status=OrderStatus.DELIVERED).merchant_message_id = CARD
    job = CompleteDelivered(world.uow_factory, world.time, timedelta(days=7), merchant_chat_id=MERCHANT)
    world.time.advance(days=8)
    assert await job.run() == 1
    [edit] = card_edits(world.uow_factory, MERCHANT, CARD)  # in the unit of work that completed it
    assert edit["text"].startswith("🧾 Order DLV-0003 — Completed")
    assert "↩ Mark returned" in str(edit["buttons"])
    assert await job.run() == 0
    assert len(card_edits(world.uow_factory, MERCHANT, CARD)) == 1
