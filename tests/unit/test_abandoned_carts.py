"""Abandoned-cart reminders follow what the customer did in the chat: once per change of the cart."""

from __future__ import annotations

from datetime import timedelta

from handlers.actions.customer import AddToCart, pack
from jobs.abandoned_carts import AbandonedCarts
from tests.fakes.memory import FakeStaleCarts
from tests.unit.chat import Chat


def reminders(factory, chat: Chat) -> list[str]:
    return [m.payload["text"] for m in factory.state.outbox if m.chat_id == chat.user_id]


async def test_a_cart_left_a_day_is_reminded_once_and_again_after_the_customer_changes_it(alice, shop, clock):
    job = AbandonedCarts(shop, FakeStaleCarts(shop.state), clock, timedelta(hours=24))
    await alice.press_data(pack(AddToCart("TEA-BLACK", 2)))
    clock.advance(hours=23)
    assert await job.run() == 0
    clock.advance(hours=2)
    assert await job.run() == 1
    assert await job.run() == 0  # the same cart, unchanged: not again
    assert "2 item" in reminders(shop, alice)[-1]
    clock.advance(minutes=5)
    await alice.press_data(pack(AddToCart("TEA-BLACK", 1)))  # back at it, then gone again
    clock.advance(hours=25)
    assert await job.run() == 1
    assert "3 item" in reminders(shop, alice)[-1]


async def test_a_customer_who_turned_reminders_off_or_checked_out_is_not_reminded(alice, bob, shop, clock):
    job = AbandonedCarts(shop, FakeStaleCarts(shop.state), clock, timedelta(hours=24))
    await alice.press_data(pack(AddToCart("TEA-BLACK", 1)))
    await bob.press_data(pack(AddToCart("TEA-BLACK", 1)))
    shop.state.customers[alice.user_id].cart_reminders = False
    await bob.press_data(pack(AddToCart("TEA-BLACK", 1)))
    async with shop() as uow:  # bob's cart became an order: empty
        cart = await uow.carts.get(bob.user_id)
        cart.clear()
        await uow.carts.save(cart, now=clock.now())
        await uow.commit()
    clock.advance(hours=25)
    assert await job.run() == 0
    assert reminders(shop, alice) == [] and reminders(shop, bob) == []


async def test_the_reminder_itself_offers_to_stop_and_pressing_it_stops_them(alice, shop, clock):
    job = AbandonedCarts(shop, FakeStaleCarts(shop.state), clock, timedelta(hours=24))
    await alice.press_data(pack(AddToCart("TEA-BLACK", 1)))
    clock.advance(hours=25)
    assert await job.run() == 1
    [reminder] = [m for m in shop.state.outbox if m.chat_id == alice.user_id]
    stop = next(b for row in reminder.payload["buttons"] for b in row if "Stop" in b["label"])
    await alice.press_data(stop["action"])
    assert "Cart reminders are off." in alice.text
    assert not shop.state.customers[alice.user_id].cart_reminders
    await alice.press_data(pack(AddToCart("TEA-BLACK", 1)))
    clock.advance(hours=25)
    assert await job.run() == 0


async def test_reminders_command_turns_them_back_on(alice, shop):
    await alice.command("reminders")
    assert "I remind you once of a cart you left" in alice.text
    await alice.press("Stop cart reminders")
    assert not shop.state.customers[alice.user_id].cart_reminders
    await alice.press("Remind me of my cart")
    assert shop.state.customers[alice.user_id].cart_reminders
