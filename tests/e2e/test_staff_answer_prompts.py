"""Staff answering a customer through the bot, on the desk's prompt rules, through both real runtimes.

Issue 15: ↩ Reply opens a prompt that takes only a reply to its ✍ message or the same staff member's next
plain message; a command in between, a colleague's answer or the timeout never send anything to the
customer.
"""

from __future__ import annotations

from domain.conversation import Direction, ShopMessage
from handlers.actions.contact import AnswerCustomer
from handlers.actions.customer import pack
from handlers.contact.relay import relay_to_shop
from tests.e2e.test_merchant_card import bot, deliver, shop  # noqa: F401 - the same shop and runtimes
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.merchant import ANN, BEN, CAROL, MERCHANT_CHAT

DAN = 444


async def ask_the_shop(connection, shop, clock, customer: int, question: str) -> tuple[int, int]:  # noqa: F811
    """`customer`'s question relayed to the merchant chat, as the outbox relay and its hook do: the stored
    message's id and the Telegram message id of its copy."""
    async with shop() as uow:
        message = ShopMessage(customer, Direction.FROM_CUSTOMER, question, clock.now())
        await uow.shop_messages.add(message)
        await relay_to_shop(uow, message, None, who=f"#{customer}", chat_id=MERCHANT_CHAT)
        await uow.commit()
    assert message.id is not None
    copy_id = await deliver(connection, shop, question)
    async with shop() as uow:
        await uow.shop_messages.remember_relay(message.id, copy_id)
        await uow.commit()
    return message.id, copy_id


async def open_answer_prompt(telegram: FakeTelegram, who: int, stored_id: int, copy_id: int):
    """`who` presses ↩ Reply under the relayed copy: the ✍ prompt that opens the reply box."""
    await telegram.press(who, copy_id, pack(AnswerCustomer(stored_id)), chat_id=MERCHANT_CHAT)
    prompt = await telegram.wait_for("sendMessage", lambda p: p["text"].startswith(f"✍ 💬{stored_id} "))
    assert prompt.params["reply_markup"]["force_reply"] is True
    return prompt


def told(shop, customer: int) -> list[str]:  # noqa: F811
    """The answers the customer is sent (from the outbox)."""
    texts = [m.payload["text"] for m in shop.state.outbox if m.chat_id == customer]
    return [text for text in texts if "answered" in text]


async def barrier(telegram: FakeTelegram, who: int) -> None:
    """Everything `who` sent before has been handled (updates of one chat are handled in order)."""
    await telegram.push_text(who, "/order NONE-1", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("sendMessage", lambda p: "NONE-1" in p["text"])


async def ann_answering(bot, telegram: FakeTelegram, connection, shop, question: str):  # noqa: F811
    """Carol asked `question`; Ann pressed ↩ Reply under it. The shop's clock."""
    clock, _desk = bot
    telegram.user(ANN, first_name="Ann")
    await open_answer_prompt(telegram, ANN, *await ask_the_shop(connection, shop, clock, CAROL, question))
    return clock


async def test_a_command_ends_an_answer_prompt_on_both_runtimes(bot, telegram, connection, shop):  # noqa: F811
    """Issue 15: ↩ Reply, /stats, then "ok see you all tomorrow": the customer gets nothing."""
    await ann_answering(bot, telegram, connection, shop, "Do you ship to Norway?")
    await telegram.push_text(ANN, "/stats", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("sendMessage", lambda p: "The prompt ended: /stats came first" in p["text"])
    await telegram.push_text(ANN, "ok see you all tomorrow", chat_id=MERCHANT_CHAT)
    await barrier(telegram, ANN)
    assert told(shop, CAROL) == []
    sent = [c.params.get("text", "") for c in telegram.calls_of("sendMessage")]
    assert not any("Sent to the customer" in text for text in sent)


async def test_two_staff_answer_prompts_never_cross_on_both_runtimes(bot, telegram, connection, shop):  # noqa: F811
    clock, _desk = bot
    telegram.user(ANN, first_name="Ann")
    telegram.user(BEN, first_name="Ben")
    carol_question = await ask_the_shop(connection, shop, clock, CAROL, "Is the oolong roasted?")
    dan_question = await ask_the_shop(connection, shop, clock, DAN, "Do you sell gift cards?")
    ann_prompt = await open_answer_prompt(telegram, ANN, *carol_question)
    await open_answer_prompt(telegram, BEN, *dan_question)

    await telegram.push_text(BEN, "Not yet, next month.", chat_id=MERCHANT_CHAT)  # Ben's next message
    await telegram.wait_for("sendMessage", lambda p: p["text"].startswith("Sent to the customer"))
    reply_to = ann_prompt.result["message_id"]
    await telegram.push_text(ANN, "Lightly roasted, yes.", chat_id=MERCHANT_CHAT, reply_to=reply_to)
    await barrier(telegram, ANN)
    assert [text.split("\n")[1] for text in told(shop, DAN)] == ["Not yet, next month."]
    assert [text.split("\n")[1] for text in told(shop, CAROL)] == ["Lightly roasted, yes."]


async def test_an_answer_prompt_times_out_on_both_runtimes(bot, telegram, connection, shop):  # noqa: F811
    clock = await ann_answering(bot, telegram, connection, shop, "Where is my parcel?")
    clock.advance(minutes=6)
    await telegram.push_text(ANN, "It left yesterday.", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("sendMessage", lambda p: "timed out after 5 minutes" in p["text"])
    await barrier(telegram, ANN)
    assert told(shop, CAROL) == []
