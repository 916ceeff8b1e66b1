"""Staff manage stock by command: every edit validated, audited, and the low-stock alert kept honest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.app import ShopApp
from tests.shops.merchant import ANN, MERCHANT_CHAT, StaffChat, desk_for
from tests.unit.chat import Chat, place_order


@pytest.fixture
def ann(shop, clock, config) -> StaffChat:
    return StaffChat(ShopApp(shop, clock, config, merchant=desk_for()), ANN, "Ann", chat_id=ANN)


def low_alerts(factory) -> list[str]:
    return [m.payload["text"] for m in factory.state.outbox if "Low stock" in m.payload["text"]]


async def test_stock_lists_low_items_first_with_their_numbers(shop, ann):
    await ann.command("safety", "TEA-OOLONG 25")
    await ann.command("stock")
    lines = ann.text.splitlines()
    assert lines[1].startswith("⚠ TEA-OOLONG Oolong tea")
    assert "TEA-GREEN Green tea: on hand 3 · reserved 0 · available 3 · safety 2" in ann.text
    assert "Old cup (disabled)" in ann.text


async def test_restock_rearms_the_low_stock_alert(shop, ann, clock):
    await ann.command("setstock", "TEA-GREEN 1")  # below safety 2: alert fires once
    await ann.command("setstock", "TEA-GREEN 0")  # still low: no second alert
    assert len(low_alerts(shop)) == 1
    await ann.command("restock", "TEA-GREEN 5")
    assert "armed again" in ann.text
    level = shop.state.stocks["TEA-GREEN"]
    assert (level.on_hand, level.low_alert_armed) == (5, True)
    clock.advance(hours=1)
    await ann.command("setstock", "TEA-GREEN 1")  # a new dip alerts again
    assert len(low_alerts(shop)) == 2
    assert [a.change for a in shop.state.audits] == [
        "setstock 1",
        "setstock 0",
        "restock 5",
        "setstock 1",
    ]
    assert {str(a.actor) for a in shop.state.audits} == {f"staff:{ANN}"}


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        ("", "Usage: /restock"),
        ("TEA-GREEN", "Usage: /restock"),
        ("NOPE-1 5", "Unknown SKU"),
        ("TEA-GREEN five", "not a whole number"),
        ("TEA-GREEN -3", "at least 1"),
        ("TEA-GREEN 0", "at least 1"),
        ("TEA-GREEN 99999999", "please check the number"),
        ("TEA-GREEN 2.5", "not a whole number"),
        ("TEA-GREEN " + "9" * 5000, "please check the number"),  # past int()'s 4,300-digit limit
        ("TEA-GREEN -" + "9" * 5000, "at least 1"),
        ("TEA-GREEN 999999", "on hand would be 1,000,002, more than 1,000,000"),  # 3 on hand already
    ],
)
async def test_bad_restock_input_gets_a_clear_answer_and_changes_nothing(shop, ann, args, answer):
    await ann.command("restock", args)
    assert answer in ann.text
    assert shop.state.stocks["TEA-GREEN"].on_hand == 3
    assert shop.state.audits == []


@pytest.mark.parametrize("command", ["setstock", "safety"])
async def test_a_count_thousands_of_digits_long_is_refused_plainly(shop, ann, command):
    await ann.command(command, "TEA-GREEN 0000" + "7" * 4400)
    assert "please check the number" in ann.text and len(ann.text) < 200
    assert (shop.state.stocks["TEA-GREEN"].on_hand, shop.state.stocks["TEA-GREEN"].safety) == (3, 2)


async def test_on_hand_cannot_be_set_below_what_orders_reserved(shop, ann, clock):
    async with shop() as uow:
        await uow.stocks.reserve("X01-ORDR", [("TEA-GREEN", 2)], clock.now())
        await uow.commit()
    await ann.command("setstock", "TEA-GREEN 1")
    assert "2 units are reserved" in ann.text
    assert shop.state.stocks["TEA-GREEN"].on_hand == 3


async def test_safety_stock_can_fire_the_alert(shop, ann):
    await ann.command("safety", "TEA-BLACK 60")
    assert shop.state.stocks["TEA-BLACK"].safety == 60
    [alert] = low_alerts(shop)
    assert (
        "Black tea (TEA-BLACK)" in alert
        and "available 50 · on hand 50 · reserved 0 · safety stock 60" in alert
    )


async def test_disable_hides_a_product_and_enable_brings_it_back(shop, ann):
    await ann.command("disable", "TEA-OOLONG")
    assert not shop.state.products["TEA-OOLONG"].active
    assert "hidden" in ann.text
    await ann.command("enable", "TEA-OOLONG")
    assert shop.state.products["TEA-OOLONG"].active
    await ann.command("disable", "nope")
    assert "Unknown SKU" in ann.text
    assert [a.change for a in shop.state.audits] == ["disable", "enable"]


async def test_staff_find_their_commands_with_slash_staff(ann):
    await ann.command("staff")
    for command in ("/orders", "/order", "/ship", "/stock", "/restock", "/disable"):
        assert command in ann.text


async def test_stock_pages_through_long_lists(shop, clock, config):
    ann = StaffChat(ShopApp(shop, clock, config, merchant=replace(desk_for(), page_size=2)), ANN, "Ann")
    await ann.command("stock")
    assert "page 1 of 3" in ann.text
    await ann.press("▶")
    assert "page 2 of 3" in ann.text
    assert "TEA-BLACK" in ann.text and "CUP-CLAY" not in ann.text


async def test_each_dip_below_safety_stock_alerts_the_merchant_chat_exactly_once(shop, clock, config, ann):
    """Green tea: 3 on hand, safety 2. The clock stands still: two dips in one second are two alerts."""
    app = ShopApp(shop, clock, config, merchant=desk_for())
    alice, bob = Chat(app, 111, name="Alice"), Chat(app, 222, name="Bob")
    await place_order(alice, shop, {"TEA-GREEN": 2})  # 1 available: the first dip
    assert len(low_alerts(shop)) == 1
    await place_order(bob, shop, {"TEA-GREEN": 1})  # 0 available: the same dip
    assert len(low_alerts(shop)) == 1
    await ann.command("restock", "TEA-GREEN 10")  # 10 available: re-armed
    assert "armed again" in ann.text and len(low_alerts(shop)) == 1
    await place_order(alice, shop, {"TEA-GREEN": 9})  # 1 available: a second dip
    alerts = low_alerts(shop)
    assert len(alerts) == 2 and all("TEA-GREEN" in text for text in alerts)
    assert {m.chat_id for m in shop.state.outbox if "Low stock" in m.payload["text"]} == {MERCHANT_CHAT}


async def test_the_low_stock_alert_carries_a_restock_button_that_asks_how_many_arrived(shop, clock, config):
    app = ShopApp(shop, clock, config, merchant=desk_for())
    ann = StaffChat(app, ANN, "Ann")  # in the merchant group, where the alert is
    await ann.command("setstock", "TEA-GREEN 1")
    [alert] = [m for m in shop.state.outbox if "Low stock" in m.payload["text"]]
    assert alert.chat_id == MERCHANT_CHAT
    assert "Green tea (TEA-GREEN)" in alert.payload["text"]
    assert "available 1 · on hand 1 · reserved 0 · safety stock 2" in alert.payload["text"]
    [[restock]] = alert.payload["buttons"]
    assert restock["label"] == "📦 Restock"

    await ann.press_data(restock["action"], message_id=4242)
    [prompt] = ann.last.replies
    assert prompt.force_reply and "How many units of Green tea arrived?" in prompt.text
    await ann.send("12")
    assert shop.state.stocks["TEA-GREEN"].on_hand == 13
    assert "on hand 13" in ann.text


async def test_staff_help_lists_every_staff_command(shop, ann):
    await ann.command("staff")
    for command in ("/orders", "/order", "/ship", "/stock", "/restock", "/setstock", "/safety", "/disable",
                    "/enable", "/stats", "/export", "/cancel"):  # fmt: skip
        assert command in ann.text
