"""The checkout form: every step re-prompts on bad input, keeps its state, and /cancel leaves nothing."""

from __future__ import annotations

import dataclasses

import pytest

from domain.money import Money
from handlers.actions.customer import FormBack, FormPick, PlaceOrder, pack
from handlers.customer.checkout.steps import Step
from tests.unit.chat import Chat, check_out, fill_cart


@pytest.fixture
async def at_name(alice: Chat, shop) -> Chat:
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 2})
    await alice.command("checkout")
    return alice


async def _state(shop, user_id: int) -> str | None:
    async with shop() as uow:
        dialog = await uow.dialogs.get(user_id)
    return dialog[0] if dialog else None


async def test_cancel_mid_form_leaves_nothing_half_saved(at_name: Chat, shop):
    await at_name.send("Alice Smith")
    await at_name.command("cancel")
    assert "Checkout cancelled. Your cart is kept." in at_name.text
    assert at_name.last.replies[0].remove_keyboard
    async with shop() as uow:
        assert await uow.dialogs.get(at_name.user_id) is None
        assert await uow.orders.list_for_customer(at_name.user_id) == []
        assert (await uow.carts.get(at_name.user_id)).lines == {"TEA-BLACK": 2}
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 0


async def test_cancel_button_and_cancel_without_a_form(at_name: Chat, shop):
    await at_name.press("Cancel")
    assert await _state(shop, at_name.user_id) is None
    await at_name.command("cancel")
    assert "Nothing to cancel." in at_name.text


@pytest.mark.parametrize(
    ("garbage", "expected"),
    [
        ("x" * 5000, "That name is too long: at most 100 characters."),
        ("🙂🙂🙂", "The name must have letters"),
        ("   ", "The name must have letters"),
    ],
)
async def test_bad_names_are_refused_and_the_question_is_asked_again(at_name: Chat, shop, garbage, expected):
    await at_name.send(garbage)
    assert expected in at_name.text and "Who will receive the order?" in at_name.text
    assert await _state(shop, at_name.user_id) == Step.NAME


async def test_garbage_at_every_step_re_prompts_and_keeps_the_step(at_name: Chat, shop):
    for nonsense in (at_name.sticker, lambda: at_name.command("track")):
        await nonsense()
        assert "Who will receive the order?" in at_name.text
    assert "send /cancel" in at_name.text
    await at_name.send("Alice Smith")

    await at_name.send("call me maybe")
    assert "That is not a phone number" in at_name.text and await _state(shop, at_name.user_id) == Step.PHONE
    await at_name.sticker()
    assert "I cannot use that here" in at_name.text
    await at_name.send("+44 20 7946 0958")

    await at_name.send("the fast one please")
    assert (
        "Please use the buttons below." in at_name.text
        and await _state(shop, at_name.user_id) == Step.DELIVERY
    )
    await at_name.contact("+12025550100")
    assert "That is not needed here." in at_name.text
    await at_name.press("Standard")

    for bad, message in [
        ("somewhere", "separated by commas"),
        ("1 Road, Town, 12345, Narnia", "two-letter code"),
        ("1 Road, Town, !!, US", "postal code"),
        ("🏠" * 3000, "too long"),
    ]:
        await at_name.send(bad)
        assert message in at_name.text and await _state(shop, at_name.user_id) == Step.ADDRESS
    await at_name.send("1 Road, Town, GB")
    assert await _state(shop, at_name.user_id) == Step.REVIEW

    await at_name.send("yes")
    assert "Please use the buttons below." in at_name.text and "Total: $23.00" in at_name.text
    async with shop() as uow:
        assert await uow.orders.list_for_customer(at_name.user_id) == []


async def test_typed_phone_with_spaces_is_normalized(at_name: Chat, shop):
    await at_name.send("Alice")
    await at_name.send("+1 (202) 555-0200")
    async with shop() as uow:
        _state_, data = await uow.dialogs.get(at_name.user_id)
    assert data["phone"] == "+12025550200"


async def test_pickup_skips_the_address_and_back_returns_step_by_step(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice, delivery="Pickup")
    assert "No address needed." in alice.text and "Total: $9.00" in alice.text
    await alice.press("Back")
    assert "How should we deliver?" in alice.text
    await alice.press("Back")
    assert "phone number" in alice.text
    await alice.press_data(pack(FormBack(Step.REVIEW)))  # a button from the review, pressed again
    assert alice.last.answer == "This button is out of date."
    assert await _state(shop, alice.user_id) == Step.PHONE


async def test_edit_from_the_review_asks_that_field_and_returns_to_the_review(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    await alice.press("✏ Name")
    assert "Who will receive the order?" in alice.text
    await alice.send("Bob Jones")
    assert "Recipient: Bob Jones, +12025550100" in alice.text and "Total: $14.00" in alice.text
    await alice.press("✏ Delivery")
    await alice.press("Pickup")
    assert "No address needed." in alice.text and "Total: $9.00" in alice.text


async def test_the_next_checkout_starts_at_the_review_with_the_remembered_details(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    await alice.press("Cash on delivery")
    await fill_cart(shop, alice.user_id, {"TEA-OOLONG": 1})
    await alice.command("checkout")
    assert "Recipient: Alice Smith, +12025550100" in alice.text and "Delivery: Standard" in alice.text
    assert "Address: 12 Main St, Springfield, 12345, US" in alice.text
    await alice.press("✏ Address")
    await alice.press("12 Main St")  # the saved address is offered when the address is changed
    assert "Address: 12 Main St, Springfield, 12345, US" in alice.text
    await alice.press_data(pack(FormPick(Step.ADDRESS, "7")))  # stale: not at that step any more
    assert alice.last.answer == "This button is out of date."


async def test_price_change_between_review_and_payment_shows_the_new_total(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    async with shop() as uow:
        black = await uow.products.get("TEA-BLACK")
        await uow.products.add(dataclasses.replace(black, price=Money(1100, "USD")))
        await uow.commit()
    await alice.press("Cash on delivery")
    assert "prices changed" in alice.text and "Total: $16.00" in alice.text
    await alice.press("Cash on delivery")
    assert "is placed!" in alice.text and "Total: $16.00" in alice.text


async def test_payment_method_not_enabled_places_nothing(alice: Chat, shop):
    await fill_cart(shop, alice.user_id, {"TEA-BLACK": 1})
    await check_out(alice)
    await alice.press_data(pack(PlaceOrder("stripe")))
    assert "not available right now" in alice.text
    async with shop() as uow:
        assert await uow.orders.list_for_customer(alice.user_id) == []


async def test_checkout_with_an_empty_cart_says_so(alice: Chat, shop):
    await alice.command("checkout")
    assert "Your cart is empty" in alice.text
    assert await _state(shop, alice.user_id) is None


async def test_form_survives_a_restart(at_name: Chat, shop, clock, config):
    from handlers.app import ShopApp

    await at_name.send("Alice Smith")
    restarted = Chat(ShopApp(shop, clock, config), at_name.user_id)
    await restarted.send("+12025550100")
    assert "How should we deliver?" in restarted.text


async def test_back_from_the_first_question_returns_to_the_cart(at_name: Chat, shop):
    await at_name.press("Back")
    assert "Black tea × 2" in at_name.text
    assert await _state(shop, at_name.user_id) is None


async def test_an_enabled_prepaid_method_places_the_order_and_hands_over_to_the_payment_starter(
    shop, clock, config
):
    from domain.order_status import PaymentMethod
    from handlers.app import ShopApp
    from handlers.kernel.reply import Button, Reply

    started = []

    async def starter(uow, order, *, language, now):
        started.append((order.number, order.payment_method, language))
        return [Reply("Pay here", buttons=((Button("Pay", url="https://pay.example/x"),),))]

    config = dataclasses.replace(config, payment_methods=(PaymentMethod.STRIPE, PaymentMethod.CASH))
    chat = Chat(ShopApp(shop, clock, config, payments={PaymentMethod.STRIPE: starter}), 444)
    await fill_cart(shop, 444, {"TEA-BLACK": 1})
    await check_out(chat)
    await chat.press("Card (online)")
    assert chat.text == "Pay here"
    async with shop() as uow:
        [order] = await uow.orders.list_for_customer(444)
        assert started == [(order.number, PaymentMethod.STRIPE, "en")]
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 1
        assert await uow.dialogs.get(444) is None


async def test_a_failure_after_placing_keeps_nothing_and_apologizes(shop, clock, config):
    from domain.order_status import PaymentMethod
    from handlers.app import ShopApp

    async def broken_starter(uow, order, *, language, now):
        raise RuntimeError("payment provider exploded")

    config = dataclasses.replace(config, payment_methods=(PaymentMethod.STRIPE,))
    chat = Chat(ShopApp(shop, clock, config, payments={PaymentMethod.STRIPE: broken_starter}), 445)
    await fill_cart(shop, 445, {"TEA-BLACK": 1})
    await check_out(chat)
    await chat.press("Card (online)")
    assert "something went wrong on our side" in chat.text and chat.last.alert
    async with shop() as uow:
        assert await uow.orders.list_for_customer(445) == []
        assert (await uow.stocks.get("TEA-BLACK")).reserved == 0
        assert (await uow.carts.get(445)).lines == {"TEA-BLACK": 1}
        assert (await uow.dialogs.get(445))[0] == Step.REVIEW


@pytest.mark.parametrize(("command", "shows"), [("help", "Here is what I can do:"), ("orders", "orders")])
async def test_help_and_orders_work_mid_checkout_and_lead_back_to_it(at_name: Chat, shop, command, shows):
    await at_name.send("Alice Smith")
    await at_name.command(command)
    assert shows in at_name.text.lower() or shows in at_name.text
    assert "Your checkout is kept where you left it." in at_name.text
    assert await _state(shop, at_name.user_id) == Step.PHONE
    await at_name.press("Continue checkout")
    assert "Your phone number for the courier" in at_name.text


async def test_a_wrong_answer_is_one_message_that_replaces_the_question(at_name: Chat):
    await at_name.send("\u3164")
    [again] = at_name.last.replies
    assert again.edit_last and again.text.startswith("The name must have letters")
    assert "Who will receive the order?" in again.text
