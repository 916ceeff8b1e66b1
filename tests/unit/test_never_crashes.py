"""Random presses, typing and stickers in any order: every event is answered, never with the bug apology."""

from __future__ import annotations

import random

import pytest

from handlers.actions.customer import CancelOrder, CartStep, FormPick, ShowProduct, pack
from tests.unit.chat import Chat, fill_cart, place_order

BUG = "something went wrong on our side"
TEXTS = ["Alice", "+12025550100", "1 Road, Town, GB", "tea", "where is my order", "🙂", "x" * 5000, "", "/"]
COMMANDS = ["start", "cart", "checkout", "orders", "track", "cancel", "help", "language", "catalog", "nope"]
FORGED = [
    pack(CancelOrder("AAA-AAAA", True)),
    pack(ShowProduct("CUP-OLD", 5)),
    pack(CartStep("TEA-GREEN", 1)),
    pack(FormPick("checkout.delivery", "teleport")),
    "1pd|TEA-GREEN|",
    "garbage",
]


@pytest.mark.parametrize("seed", range(6))
async def test_a_random_session_never_hits_a_bug_and_keeps_stock_consistent(alice: Chat, shop, seed):
    rng = random.Random(seed)
    await place_order(alice, shop, {"TEA-BLACK": 1})
    await place_order(alice, shop, {"TEA-GREEN": 1})
    for step in range(300):
        if step % 60 == 0:
            await fill_cart(shop, alice.user_id, {"TEA-OOLONG": 1})
            await alice.command("orders" if step % 120 else "checkout")
        roll = rng.random()
        actions = [b.action for b in alice.buttons() if b.action]
        if roll < 0.6 and actions:
            await alice.press_data(rng.choice(actions))
        elif roll < 0.7:
            await alice.send(rng.choice(TEXTS))
        elif roll < 0.8:
            await alice.command(rng.choice(COMMANDS))
        elif roll < 0.87:
            await alice.contact("+12025550100")
        elif roll < 0.93:
            await alice.sticker()
        else:
            await alice.press_data(rng.choice(FORGED))
        assert BUG not in alice.text
        assert alice.last.replies or alice.last.answer, "every event gets an answer"
    async with shop() as uow:
        for sku in ("TEA-GREEN", "TEA-BLACK", "TEA-OOLONG"):
            level = await uow.stocks.get(sku)
            assert 0 <= level.reserved <= level.on_hand
