"""Staff give products their Chinese name and description, and a category its Chinese name, from the chat:
the staff card's edits and /newproduct's summary. A Chinese-speaking customer reads them; bad input changes
nothing; "-" removes one."""

from __future__ import annotations

import pytest

from domain.catalog.products import MAX_NAME
from handlers.app import ShopApp
from tests.shops.merchant import ANN, StaffChat, desk_for
from tests.unit.chat import Chat


@pytest.fixture
def app(shop, clock, config) -> ShopApp:
    return ShopApp(shop, clock, config, merchant=desk_for())


@pytest.fixture
def ann(app) -> StaffChat:
    return StaffChat(app, ANN, "Ann", chat_id=ANN)


@pytest.fixture
def wang(app) -> Chat:
    return Chat(app, 505, name="Wang", language_code="zh-hans")


async def green_tea_card(ann: StaffChat) -> None:
    await ann.command("products", "Green tea")
    await ann.press("Green tea")


async def test_staff_set_the_chinese_name_and_description_and_a_chinese_customer_reads_them(shop, ann, wang):
    await green_tea_card(ann)
    await ann.press("✏ Chinese name")
    assert "Send the Chinese name of Green tea" in ann.text
    await ann.send("  静冈 煎茶 ")
    assert "Saved." in ann.text and "Chinese name: 静冈 煎茶" in ann.text
    await ann.press("✏ Chinese description")
    await ann.send("静冈县产的蒸青绿茶。")
    await ann.press("✏ Chinese category")
    assert "Every product in it shows it" in ann.text
    await ann.send("茶叶")
    assert "Category: Tea / 茶叶" in ann.text
    product = shop.state.products["TEA-GREEN"]
    assert (product.name, product.name_zh, product.description_zh) == (
        "Green tea",
        "静冈 煎茶",
        "静冈县产的蒸青绿茶。",
    )
    assert "Ann: Chinese name — → 静冈 煎茶" in ann.text  # in the card's history

    await wang.command("start", "p_TEA-GREEN")
    assert "静冈 煎茶" in wang.text and "静冈县产的蒸青绿茶。" in wang.text
    await wang.send("煎茶")
    assert "静冈 煎茶" in str(wang.labels())
    await wang.command("catalog")
    assert "茶叶" in str(wang.labels())


async def test_a_too_long_chinese_name_is_refused_and_a_dash_removes_it(shop, ann):
    await green_tea_card(ann)
    await ann.press("✏ Chinese name")
    await ann.send("茶" * (MAX_NAME + 1))
    assert f"at most {MAX_NAME} characters" in ann.text
    assert shop.state.products["TEA-GREEN"].name_zh == ""
    await ann.send("煎茶")  # the prompt is still open
    assert shop.state.products["TEA-GREEN"].name_zh == "煎茶"
    await ann.press("✏ Chinese name")
    await ann.send("-")
    assert shop.state.products["TEA-GREEN"].name_zh == ""
    assert "Chinese name:" not in ann.text


async def test_newproduct_offers_the_chinese_name_and_description_before_create(shop, ann, wang):
    await ann.command("newproduct")
    await ann.send("Lapsang Souchong")
    await ann.press("Skip")
    await ann.press("Tea")
    await ann.send("11.20")
    for _ in range(4):  # stock, safety, description, photo
        await ann.press("Skip")
    assert "Create this product?" in ann.text
    await ann.press("🀄 Chinese name")
    await ann.send("正山小种")
    assert "Create this product?" in ann.text and "Chinese name: 正山小种" in ann.text
    await ann.press("🀄 Chinese description")
    await ann.press("⬅ Back")  # changed their mind: nothing added
    await ann.press("Create")
    product = shop.state.products["LAPSANG-SOUCHONG"]
    assert (product.name_zh, product.description_zh) == ("正山小种", "")

    await wang.send("小种")
    assert "正山小种" in str(wang.labels())
