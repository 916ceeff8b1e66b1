"""/stats and /export in the merchant chat: staff see figures, a chart and a CSV; nobody else sees any."""

from __future__ import annotations

import csv
import io

import pytest

from domain.analytics import ReportWindow
from domain.clock import FixedClock
from handlers.actions.customer import pack
from handlers.app import ShopApp
from handlers.kernel.incoming import Incoming, Kind
from handlers.merchant.stats.handler import STAFF_ONLY, ExportOrders, MerchantStats, ShowStats
from tests.unit.analytics.sample import NOW, export_row, sample_figures
from tests.unit.chat import Chat

STAFF, STRANGER, GROUP = 11, 99, -100500
FAKE_PNG = b"\x89PNG\r\n\x1a\nchart"


class StubShopFigures:
    """Answers with hand-built figures and remembers which windows were asked for."""

    def __init__(self, *, orders: bool = True) -> None:
        self.orders = orders
        self.windows: list[ReportWindow] = []

    async def figures(self, window: ReportWindow):
        self.windows.append(window)
        return sample_figures(len(window.day_starts), orders=self.orders)

    async def order_rows(self, window: ReportWindow):
        self.windows.append(window)
        return [export_row("AAA-0001"), export_row("AAA-0002", customer_id=77)] if self.orders else []


def stats(shop: StubShopFigures, charts: list | None = None) -> MerchantStats:
    def render(figures):
        if charts is not None:
            charts.append(figures)
        return FAKE_PNG

    return MerchantStats(shop, is_staff={STAFF}.__contains__, clock=FixedClock(NOW), render_chart=render)


def command(
    name: str, args: str = "", *, user: int = STAFF, private: bool = False, language_code: str | None = None
) -> Incoming:
    chat = user if private else GROUP
    return Incoming(
        Kind.COMMAND, user_id=user, chat_id=chat, text=name, args=args, private=private,
        language_code=language_code,
    )  # fmt: skip


def press(action: str, *, user: int = STAFF, language_code: str | None = None) -> Incoming:
    return Incoming(
        Kind.BUTTON, user_id=user, chat_id=GROUP, action=action, message_id=5, private=False,
        language_code=language_code,
    )  # fmt: skip


ENGLISH_WEEK = (
    "📊 Last 7 days, 04 Mar – 10 Mar 2026",
    "Orders: 120 placed · 100 paid · 5 cancelled · 2 refunded",
    "Revenue: $12,345.00 · average order $125.97",
    "Payment success: 90.0 % (900 of 1,000 attempts)",
    "Funnel: 300 carts created → 200 checkouts started → 120 orders placed → 100 paid → 80 delivered",
    "Paid → shipped (median): 20 h 5 min",
    "Low stock: 3 products",
    "Top by units:",
    "  1. Mug (MUG): 40 × · $400.00",
)
CHINESE_WEEK = (
    "📊 最近 7 天，3月4日 – 2026年3月10日",
    "订单：已下单 120 · 已付款 100 · 已取消 5 · 已退款 2",
    "营业额：US$12,345.00 · 平均订单金额 US$125.97",
    "支付成功率：90.0 %（1,000 次尝试中成功 900 次）",
    "转化漏斗：创建购物车 300 → 开始结账 200 → 下单 120 → 付款 100 → 送达 80",
    "付款 → 发货（中位数）：20 小时 5 分钟",
    "低库存商品：3 种",
    "销量最高：",
    "  1. Mug (MUG): 40 × · US$400.00",
)


@pytest.mark.parametrize(
    ("language_code", "lines", "labels"),
    [
        (None, ENGLISH_WEEK, [["Today", "• 7 days", "30 days"], ["CSV of 7 days"]]),
        ("zh-hans", CHINESE_WEEK, [["今天", "• 7 天", "30 天"], ["7 天的 CSV"]]),
    ],
    ids=["english", "chinese"],
)
async def test_staff_get_the_weeks_chart_and_figures_with_period_buttons_in_their_language(
    language_code, lines, labels
):
    shop, charts = StubShopFigures(), []
    outcome = await stats(shop, charts)(command("stats", language_code=language_code))
    chart, text = outcome.replies
    assert chart.photo_bytes == FAKE_PNG and charts and len(shop.windows[0].day_starts) == 7
    assert chart.text == lines[0].removeprefix("📊 ")
    assert set(lines) <= set(text.text.splitlines())
    assert [[button.label for button in row] for row in text.buttons] == labels


async def test_a_period_button_shows_that_period():
    shop = StubShopFigures()
    outcome = await stats(shop)(press(pack(ShowStats("30d"))))
    assert len(shop.windows[-1].day_starts) == 30
    assert outcome.replies[1].text.startswith("📊 Last 30 days")
    assert [b.label for b in outcome.replies[1].buttons[0]] == ["Today", "7 days", "• 30 days"]


async def test_stats_today_starts_at_local_midnight():
    shop = StubShopFigures()
    await stats(shop)(command("stats", "today"))
    assert shop.windows[0].start == NOW.replace(hour=0) and shop.windows[0].end == NOW


async def test_someone_not_on_staff_gets_no_stats_and_no_export():
    shop = StubShopFigures()
    handler = stats(shop)
    for event in (
        command("stats", user=STRANGER),
        command("export", user=STRANGER, private=True),
    ):
        outcome = await handler(event)
        assert [r.text for r in outcome.replies] == [STAFF_ONLY]
        assert all(r.photo_bytes is None and r.document is None for r in outcome.replies)
    for action in (pack(ShowStats("7d")), pack(ExportOrders("30d"))):
        outcome = await handler(press(action, user=STRANGER))
        assert outcome.replies == [] and outcome.answer == STAFF_ONLY and outcome.alert
    assert shop.windows == []  # nothing was even computed


async def test_export_in_a_private_chat_sends_the_csv_there():
    shop = StubShopFigures()
    outcome = await stats(shop)(command("export", "7d", private=True))
    (reply,) = outcome.replies
    assert reply.chat_id is None and reply.document.filename == "orders-20260304-20260310.csv"
    assert reply.document.caption == "2 orders placed 04 Mar – 10 Mar 2026"
    rows = list(csv.DictReader(io.StringIO(reply.document.content.decode("utf-8"))))
    assert [(r["number"], r["customer_id"]) for r in rows] == [("AAA-0001", "4242"), ("AAA-0002", "77")]


async def test_export_asked_for_in_the_group_goes_only_to_the_staff_members_private_chat():
    outcome = await stats(StubShopFigures())(press(pack(ExportOrders("30d"))))
    document, notice = outcome.replies
    assert document.chat_id == STAFF and document.document is not None
    assert notice.chat_id is None and notice.document is None and "private chat" in notice.text


async def test_an_unknown_period_explains_itself_and_computes_nothing():
    shop = StubShopFigures()
    outcome = await stats(shop)(command("stats", "yesterday"))
    assert outcome.replies[0].text == "Use /stats today, /stats 7d or /stats 30d."
    assert shop.windows == []


async def test_a_forged_period_button_is_not_ours_and_changes_nothing():
    shop, handler = StubShopFigures(), None
    handler = stats(shop)
    forged = press("1sp|365d")
    assert not handler.handles(forged)
    outcome = await handler(forged)
    assert outcome.replies == [] and "out of date" in outcome.answer and shop.windows == []


async def test_a_period_without_orders_reads_as_zeros_without_rates():
    outcome = await stats(StubShopFigures(orders=False))(command("stats"))
    text = outcome.replies[1].text
    assert "Revenue: $0.00 · average order $0.00" in text
    assert "Payment success: n/a (0 of 0 attempts)" in text
    assert "Paid → shipped (median): no orders shipped" in text


def test_the_handler_claims_only_its_commands_and_buttons():
    handler = stats(StubShopFigures())
    assert handler.handles(command("stats")) and handler.handles(command("export"))
    assert handler.handles(command("stats@ShopBot"))
    assert handler.handles(press(pack(ShowStats("today"))))
    assert not handler.handles(command("start"))
    assert not handler.handles(press("1mn"))


async def test_a_chinese_period_without_orders_says_there_is_nothing_to_measure():
    outcome = await stats(StubShopFigures(orders=False))(press(pack(ShowStats("today")), language_code="zh"))
    assert outcome.replies[0].text == "今天，2026年3月10日"
    assert "支付成功率：暂无（0 次尝试中成功 0 次）" in outcome.replies[1].text
    assert "付款 → 发货（中位数）：暂无已发货订单" in outcome.replies[1].text


async def test_a_chinese_speaking_staff_members_export_is_captioned_in_chinese_with_english_columns():
    outcome = await stats(StubShopFigures())(press(pack(ExportOrders("7d")), language_code="zh-TW"))
    document, notice = outcome.replies
    assert document.text == document.document.caption == "3月4日 – 2026年3月10日 共下单 2 笔"
    assert notice.text == "CSV 已发到您的私聊：其中列有顾客信息。"
    header = document.document.content.decode("utf-8").splitlines()[0]
    assert header.startswith("number,placed_at,paid_at,shipped_at,status,customer_id")


async def test_chinese_speakers_are_refused_and_corrected_in_chinese():
    shop = StubShopFigures()
    handler = stats(shop)
    refused = await handler(command("stats", user=STRANGER, language_code="zh"))
    assert [r.text for r in refused.replies] == ["只有店员可以查看店铺数据。"]
    usage = await handler(command("stats", "yesterday", language_code="zh"))
    assert usage.replies[0].text == "请使用 /stats today、/stats 7d 或 /stats 30d。"
    assert shop.windows == []


async def test_an_exported_single_order_reads_in_the_singular():
    class OneOrder(StubShopFigures):
        async def order_rows(self, window):
            return [export_row("AAA-0001")]

    (reply,) = (await stats(OneOrder())(command("export", "today", private=True))).replies
    assert reply.document.caption == "1 order placed 10 Mar – 10 Mar 2026"


async def test_staff_who_chose_chinese_get_the_stats_in_chinese_though_telegram_says_english(
    shop, clock, config
):
    app = ShopApp(shop, clock, config, stats=stats(StubShopFigures()))
    staff, stranger = Chat(app, STAFF, language_code="en"), Chat(app, STRANGER, language_code="zh-hans")
    await staff.command("stats")
    assert "Orders: 120 placed" in staff.text
    await staff.command("language")
    await staff.press("中文")
    await staff.command("stats")
    assert "订单：已下单 120" in staff.text and "Orders:" not in staff.text
    await stranger.command("stats")  # never wrote before: Telegram's language decides
    assert stranger.text == "只有店员可以查看店铺数据。"
