"""Staff build the catalog in chat and customers talk to the shop, through both real runtimes.

A product created with /newproduct (its photo stored by the largest size's file id) is bought by a
customer in the same test; a customer's question reaches the merchant chat through the outbox relay, a
staff reply to it comes back to the customer signed with the shop's name.
"""

from __future__ import annotations

import asyncio

from bot.telegram.notifier import BotApiNotifier
from bot.telegram.runtime import TelegramConnection
from bot.wiring.background import build_relay
from domain.money import Money
from storage.database.engine import session_factory
from tests.e2e.telegram_chat import TelegramChat
from tests.e2e.test_customer_on_telegram import (  # noqa: F401 - the same shop and runtimes
    bot,
    pick_up_and_pay_cash,
    shop,
    telegram,
)

STAFF, MERCHANT_CHAT = 900, -100500
LARGEST = "AgAC-jasmine-1280"


def sent_text(server, fragment: str) -> bool:
    return any(fragment in call.params.get("text", "") for call in server.calls_of("sendMessage"))


async def relay_until(shop, telegram, found) -> None:  # noqa: F811 - the fixtures' names
    """Run the outbox relay (with its on-sent hook) until `found(telegram)` holds."""
    notifier = BotApiNotifier(TelegramConnection(telegram.token, telegram.url))
    relay = build_relay(
        shop.settings, session_factory(shop.engine), notifier, shop.clock, shop.uow_factory, worker="test"
    )
    try:
        for _ in range(100):
            await relay.run_once()
            if found(telegram):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the relay never delivered what was expected")
    finally:
        await notifier.aclose()


async def test_a_product_made_in_chat_is_bought_by_a_customer(bot, shop, telegram):  # noqa: F811
    ann = TelegramChat(telegram, STAFF)
    await ann.send("/newproduct", then="(1/8)")
    await ann.send("Lapsang Souchong", then="(2/8)")
    await ann.press("Skip", then="(3/8)")
    await ann.press("Tea", then="(4/8)")
    await ann.send("abc", then="is not a price")
    await ann.send("11.20", then="(5/8)")
    await ann.send("4", then="(6/8)")
    await ann.press("Skip", then="(7/8)")
    await ann.press("Skip", then="(8/8)")
    await telegram.send_sticker(STAFF)
    await ann.sees("That is a sticker, not a photo")
    sizes = (("AgAC-jasmine-90", 90), (LARGEST, 1280), ("AgAC-jasmine-320", 320))  # not in size order
    await telegram.send_photo(STAFF, sizes=sizes)
    await ann.sees("Create this product?")
    async with shop.uow_factory(write=False) as uow:
        assert await uow.products.get("LAPSANG-SOUCHONG") is None  # nothing before the last step
    await ann.press("Create", then="Created.")
    card = await telegram.wait_for("sendPhoto", lambda p: int(p["chat_id"]) == STAFF)
    assert card.params["photo"] == LARGEST

    alice = TelegramChat(telegram, 601)
    await alice.send("/start p_LAPSANG-SOUCHONG", then="Lapsang Souchong")
    shown = await telegram.wait_for("sendPhoto", lambda p: int(p["chat_id"]) == 601)
    assert shown.params["photo"] == LARGEST
    await alice.press("Add 1 to cart", then="In your cart: 1")
    await pick_up_and_pay_cash(alice)
    async with shop.uow_factory(write=False) as uow:
        [order] = await uow.orders.list_for_customer(601)
        assert [(line.sku, line.unit_price) for line in order.lines] == [
            ("LAPSANG-SOUCHONG", Money(1120, "USD"))
        ]
        assert (await uow.stocks.get("LAPSANG-SOUCHONG")).reserved == 1


async def test_a_question_reaches_the_merchant_chat_and_the_reply_comes_back(bot, shop, telegram):  # noqa: F811
    bob = TelegramChat(telegram, 602)
    await bob.send("/help", then="Contact the shop")
    await bob.press("Contact the shop", then="Write your message to Tea House")
    await bob.send("Is the Lapsang very smoky?", then="passed on to Tea House")

    await relay_until(shop, telegram, lambda server: sent_text(server, "very smoky?"))
    [sent] = [c for c in telegram.calls_of("sendMessage") if "very smoky?" in c.params.get("text", "")]
    assert int(sent.params["chat_id"]) == MERCHANT_CHAT and "(no order)" in sent.params["text"]
    relayed_id = sent.result["message_id"]

    await telegram.reply_text(STAFF, MERCHANT_CHAT, relayed_id, "Quite smoky, like a campfire.")
    await telegram.wait_for("sendMessage", lambda p: "Sent to the customer" in p.get("text", ""))
    await relay_until(shop, telegram, lambda server: sent_text(server, "campfire"))
    answer = await bob.sees("campfire")
    assert answer.startswith("✉ Tea House answered:")


async def test_staff_give_a_product_a_chinese_name_in_chat_and_a_chinese_customer_finds_it(
    bot,  # noqa: F811
    shop,  # noqa: F811
    telegram,  # noqa: F811
):
    ann = TelegramChat(telegram, STAFF)
    await ann.send("/products Longjing", then="Products matching")
    await ann.press("Longjing", then="Chinese name: 西湖龙井绿茶 100 克")
    await ann.press("✏ Chinese name", then="Send the Chinese name of Longjing Green Tea 100 g")
    await ann.send("明前狮峰龙井", then="Chinese name: 明前狮峰龙井")

    wang = TelegramChat(telegram, 611, language_code="zh-hans")
    await wang.send("/start p_TEA-LJ-100", then="明前狮峰龙井")
    await wang.send("狮峰", then="明前狮峰龙井 · US$18.50")
