"""Customers write to the shop through the bot; staff answer in the merchant chat, signed with the shop."""

from __future__ import annotations

import pytest

from domain.conversation import Direction
from handlers.actions.contact import AddOrderNote, ContactShop
from handlers.actions.customer import pack
from handlers.actions.merchant import RejectOrder
from handlers.app import ShopApp
from jobs.staff_prompts import EndStalePrompts
from tests.shops.merchant import ANN, BEN, MERCHANT_CHAT, StaffChat, desk_for
from tests.unit.chat import Chat, place_order

CAROL = 333


@pytest.fixture
def app(shop, clock, config) -> ShopApp:
    return ShopApp(shop, clock, config, merchant=desk_for())


@pytest.fixture
def ann(app) -> StaffChat:
    return StaffChat(app, ANN, "Ann")  # in the merchant group


@pytest.fixture
def carol(app) -> Chat:
    return Chat(app, CAROL, name="Carol")


def sent_to(factory, chat_id: int) -> list[dict]:
    return [m.payload for m in factory.state.outbox if m.chat_id == chat_id]


async def relayed(factory, telegram_message_id: int) -> None:
    """What the outbox relay hook does once the relayed copy is sent: remember its Telegram id."""
    async with factory() as uow:
        [message] = [m for m in factory.state.shop_messages if m.merchant_message_id is None][-1:]
        await uow.shop_messages.remember_relay(message.id, telegram_message_id)
        await uow.commit()


async def test_a_question_reaches_the_merchant_chat_and_the_answer_comes_back_signed(shop, ann, carol):
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    await carol.command("orders")
    await carol.press(number)
    await carol.press("Contact the shop")
    await carol.send("The box arrived crushed, can you help?")
    assert "passed on to Tea House" in carol.text
    [relay] = [p for p in sent_to(shop, MERCHANT_CHAT) if "crushed" in p["text"]]
    assert f"Carol about order {number} (Placed)" in relay["text"]
    assert [b["label"] for row in relay["buttons"] for b in row] == ["↩ Reply", "🗂 Thread"]

    await relayed(shop, 4242)
    await ann.reply_to(4242, "Sorry! A new box is on its way.")
    assert "Sent to the customer" in ann.text
    [answer] = [p for p in sent_to(shop, CAROL) if "new box" in p["text"]]
    assert answer["text"].startswith("✉ Tea House answered:")
    assert "Ann" not in answer["text"]

    await ann.command("order", number)
    assert "💬 2 messages" in ann.labels()
    await ann.press("2 messages")
    assert "Customer: The box arrived crushed" in ann.text and "Shop: Sorry! A new box" in ann.text


async def test_the_reply_button_answers_too_and_a_photo_is_passed_on(shop, ann, carol):
    await carol.command("contact")
    await carol.photo("AgAC-damaged-parcel", caption="Look at this")
    [relay] = [p for p in sent_to(shop, MERCHANT_CHAT) if "Look at this" in p["text"]]
    assert relay["photo"] == "AgAC-damaged-parcel" and "(no order)" in relay["text"]
    await ann.press_data(relay["buttons"][0][0]["action"], message_id=5000)
    [prompt] = ann.last.replies
    assert prompt.text.startswith("✍") and "signed “Tea House”" in prompt.text and prompt.force_reply
    await ann.reply(prompt, "We are on it.", message_id=5001)
    assert "Sent to the customer" in ann.text
    assert any("We are on it." in p["text"] for p in sent_to(shop, CAROL))
    await ann.send("chatter among staff")  # the prompt was answered: later messages are not taken
    assert not any("chatter" in p["text"] for p in sent_to(shop, CAROL))


async def answer_prompt(shop, carol: Chat, staff: StaffChat, question: str, *, relayed_as: int):
    """`carol` asks `question`; `staff` presses ↩ Reply on its copy in the merchant chat: the ✍ prompt."""
    await carol.command("contact")
    await carol.send(question)
    await relayed(shop, relayed_as)
    [relay] = [p for p in sent_to(shop, MERCHANT_CHAT) if question in p["text"]]
    await staff.press_data(relay["buttons"][0][0]["action"], message_id=relayed_as)
    [prompt] = staff.last.replies
    return prompt


async def test_an_answer_prompt_ended_by_a_command_sends_nothing_to_the_customer(shop, ann, carol):
    """Issue 15: ↩ Reply, then /stats, then a plain message: the customer gets nothing."""
    await answer_prompt(shop, carol, ann, "Do you ship to Norway?", relayed_as=4300)
    await ann.command("stats")
    assert "The prompt ended: /stats came first. Nothing changed." in ann.text
    await ann.send("ok see you all tomorrow")
    assert not any("see you all" in p["text"] for p in sent_to(shop, CAROL))
    await ann.reply_to(4400, "lunch?")  # a reply to a colleague's message: not an answer either
    assert not any("lunch" in p["text"] for p in sent_to(shop, CAROL))


async def test_two_staff_answer_prompts_open_at_once_never_cross(shop, app, ann, carol):
    ben = StaffChat(app, BEN, "Ben")
    dan = Chat(app, 444, name="Dan")
    ann_prompt = await answer_prompt(shop, carol, ann, "Is the oolong roasted?", relayed_as=4301)
    ben_prompt = await answer_prompt(shop, dan, ben, "Do you sell gift cards?", relayed_as=4302)
    await ben.send("Not yet, next month.")  # Ben's next plain message: his answer, to Dan
    await ann.reply(ann_prompt, "Lightly roasted, yes.", message_id=9001)
    await answer_prompt(shop, dan, ben, "And tea sets?", relayed_as=4304)
    await ann.reply(ben_prompt, "Lightly roasted.", message_id=9002)  # Ann replies to Ben's old prompt
    assert [p["text"].split("\n")[1] for p in sent_to(shop, 444) if "answered" in p["text"]] == [
        "Not yet, next month."
    ]
    assert [p["text"].split("\n")[1] for p in sent_to(shop, CAROL) if "answered" in p["text"]] == [
        "Lightly roasted, yes."
    ]
    await ben.send("Yes, three kinds.")  # Ann's reply did not take Ben's open prompt
    assert "Sent to the customer" in ben.text


async def test_an_answer_prompt_left_unanswered_times_out_and_says_so(shop, clock, ann, carol):
    await answer_prompt(shop, carol, ann, "Where is my parcel?", relayed_as=4303)
    clock.advance(minutes=6)
    assert await EndStalePrompts(shop, clock).run() == 1
    [ended] = [m for m in shop.state.outbox if "timed out" in m.payload["text"]]
    assert ended.chat_id == MERCHANT_CHAT
    await ann.send("It left yesterday.")  # too late: not taken
    assert not any("yesterday" in p["text"] for p in sent_to(shop, CAROL))


async def test_a_customer_cannot_flood_the_merchant_chat(shop, carol, clock):
    for n in range(3):
        await carol.command("contact")
        await carol.send(f"question {n}")
    await carol.command("contact")
    await carol.send("question 3")
    assert "Please wait a minute" in carol.text
    assert not any("question 3" in p["text"] for p in sent_to(shop, MERCHANT_CHAT))
    clock.advance(minutes=1)
    await carol.send("question 3")
    assert any("question 3" in p["text"] for p in sent_to(shop, MERCHANT_CHAT))


async def test_internal_notes_are_for_staff_only(shop, ann, carol):
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    await ann.command("order", number)
    await ann.press("0 messages")
    await ann.press("Add note")
    prompt = next(r for r in ann.last.replies if r.text.startswith("✍"))
    assert prompt.force_reply
    await ann.reply(prompt, "Regular customer, add a sample", message_id=6000)
    assert "📝 Note (staff only): Regular customer" in ann.text
    assert not any("sample" in p["text"] for p in sent_to(shop, CAROL))
    await ann.command("order", number)
    assert "💬 0 messages" in ann.labels()  # notes are not messages with the customer


async def test_contact_the_shop_is_offered_in_help_and_on_a_rejection(shop, ann, carol):
    await carol.command("help")
    assert "💬 Contact the shop" in carol.labels()
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    await ann.press_data(pack(RejectOrder(number, "stock")))
    [notice] = [p for p in sent_to(shop, CAROL) if "could not accept" in p["text"]]
    assert [b["label"] for row in notice["buttons"] for b in row] == ["💬 Contact the shop"]


async def test_a_message_about_another_customers_order_carries_no_order(shop, app, carol):
    number = await place_order(Chat(app, 444, name="Dan"), shop, {"TEA-BLACK": 1})
    await carol.press_data(pack(ContactShop(number)))
    assert number not in carol.text
    await carol.send("What is in Dan's order?")
    [relay] = [p for p in sent_to(shop, MERCHANT_CHAT) if "Dan's order" in p["text"]]
    assert "(no order)" in relay["text"] and number not in relay["text"]


async def test_the_merchant_card_counts_the_orders_messages_as_they_come(shop, ann, carol):
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    async with shop() as uow:  # the relay reported the card's message id in the merchant chat
        order = await uow.orders.get_for_update(number)
        order.merchant_message_id = 7700
        await uow.orders.save(order)
        await uow.commit()
    await carol.press_data(pack(ContactShop(number)))
    await carol.send("Can you gift-wrap it?")
    [edit] = [m.payload for m in shop.state.outbox if m.payload.get("edit_message_id") == 7700]
    assert "💬 1 message" in [b["label"] for row in edit["buttons"] for b in row]


async def test_leaving_the_message_form_by_a_button_sends_nothing_to_the_shop(shop, carol):
    await carol.command("contact")
    await carol.press("Cancel")
    await carol.send("green")  # a search now, not a message to the shop
    assert "Found for “green”" in carol.text and any("Green tea" in label for label in carol.labels())
    await carol.command("contact")
    await carol.command("catalog")
    await carol.send("oolong")
    assert "Found for “oolong”" in carol.text
    assert shop.state.shop_messages == [] and sent_to(shop, MERCHANT_CHAT) == []


async def test_a_note_prompt_ended_by_a_command_or_the_timeout_keeps_no_note(shop, clock, ann, carol):
    number = await place_order(carol, shop, {"TEA-BLACK": 1})
    await ann.command("order", number)
    await ann.press("0 messages")
    await ann.press("Add note")
    await ann.command("stats")
    [ended] = [r for r in ann.last.replies if r.edit_message_id is not None]
    assert ended.text.startswith(f"🧾 Order {number}") and "/stats came first" in ended.text
    await ann.send("left at the door")
    await ann.press_data(pack(AddOrderNote(number)))
    clock.advance(minutes=6)
    await ann.send("ring twice")
    assert "timed out" in ann.text
    assert [m for m in shop.state.shop_messages if m.direction is Direction.STAFF_NOTE] == []
