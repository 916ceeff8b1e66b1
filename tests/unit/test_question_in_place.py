"""A checkout question says which step it shows, so its message id can be kept with the checkout once it is
sent; a wrong answer then edits that message (after a restart too), and a question whose message is not
known yet falls back on the runtime's memory of the bot's last message."""

from __future__ import annotations

from handlers.app import ShopApp
from tests.fakes.memory import FakeOutboxQueue
from tests.unit.chat import Chat, fill_cart


def _held(shop, state: str):
    """The outbox row of the question's reply, as the relay holds it to send it (id, worker, now)."""
    reply = next(m for m in reversed(shop.state.replies) if m.payload.get("dialog") == state)
    shop.state.outbox.append(reply)
    shop.state.outbox_leases[reply.id] = ("relay", reply.held_until)
    return reply.id, "relay", reply.created_at


async def test_a_wrong_answer_edits_the_message_the_checkout_remembers(shop, clock, config):
    alice = Chat(ShopApp(shop, clock, config), 401)
    await fill_cart(shop, 401, {"TEA-GREEN": 1})
    await alice.command("checkout")
    [question] = alice.last.replies
    assert question.dialog == "checkout.name"

    await alice.send("\u3164")  # the message the question is in is not known yet
    [again] = alice.last.replies
    assert (again.edit_message_id, again.edit_last) == (None, True)

    # the relay delivered the question as message 77, recorded with its sent mark (as
    # tests/integration/test_dialog_messages.py shows on the real queue)
    assert await FakeOutboxQueue(shop.state).mark_sent(
        *_held(shop, "checkout.name"), question=(401, "checkout.name", 77)
    )
    await alice.send("\u3164")
    [again] = alice.last.replies
    assert again.edit_message_id == 77 and "The name must have letters" in again.text
    stored = shop.state.replies[-1].payload  # what the relay sends if this process cannot
    assert (stored["edit_message_id"], stored["dialog"]) == (77, "checkout.name")

    await alice.send("Alice Smith")  # the next question: a message of its own, not known yet
    assert alice.last.replies[-1].dialog == "checkout.phone"
    async with shop(write=False) as uow:
        assert await uow.dialogs.message_of(401) is None


async def test_after_an_aside_the_note_at_the_bottom_stands_for_the_question(shop, clock, config):
    alice = Chat(ShopApp(shop, clock, config), 402)
    await fill_cart(shop, 402, {"TEA-GREEN": 1})
    await alice.command("checkout")
    await alice.command("help")
    assert alice.last.replies[-1].dialog == "checkout.name"  # a wrong answer next replaces this note
