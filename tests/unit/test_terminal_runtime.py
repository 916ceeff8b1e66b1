"""The terminal runtime over a tiny shop-like handler: what a person at the terminal sees and can do."""

from __future__ import annotations

from bot.demo.session import replay
from handlers.kernel.incoming import Kind
from tests.unit.terminal_toys import CUSTOMER, MERCHANT, Terminal


async def test_buttons_are_numbered_row_by_row_and_pressed_by_number() -> None:
    term = Terminal()
    screen = await term.type("/start")
    assert "Hello Alice!" in screen
    assert "[1] 🛍 Catalog   [2] 🛒 Cart" in screen and "[3] Share phone (shares your phone)" in screen
    screen = await term.type("1")
    assert term.events[-1].kind is Kind.BUTTON and term.events[-1].action == "1ca"
    assert "🖼  photo: mug.jpg" in screen and "✎ (edited)" in screen and "💬: Opening" in screen


async def test_a_label_presses_its_button_emoji_and_case_aside_and_an_ambiguous_one_presses_nothing() -> None:
    term = Terminal()
    screen = await term.type("/start", "[c]")  # Catalog or Cart?
    assert "no button 'c' here" in screen and len(term.events) == 1
    await term.type("[catalog]")
    assert term.events[-1].action == "1ca"
    await term.type("[CART]")  # "Cart (1)" starts with it too, but "🛒 Cart" is it exactly
    assert term.events[-1].action == "1ct"
    await term.type("[catalog]", "[add to]")
    assert term.events[-1].action == "1ad|MUG"


async def test_a_button_press_names_the_message_it_sits_on() -> None:
    term = Terminal()
    await term.type("/start", "1", "1")
    first_press, second_press = term.events[1], term.events[2]
    assert first_press.message_id is not None and first_press.message_id == second_press.message_id


async def test_a_number_without_such_button_is_refused_and_nothing_is_sent() -> None:
    term = Terminal()
    screen = await term.type("/start", "9")
    assert len(term.events) == 1
    assert "no button '9' here" in screen


async def test_say_sends_a_number_as_text_and_commands_carry_their_arguments() -> None:
    term = Terminal()
    await term.type("/start", "/say 2", "/find blue mug")
    assert (term.events[1].kind, term.events[1].text) == (Kind.TEXT, "2")
    find = term.events[2]
    assert (find.kind, find.text, find.args) == (Kind.COMMAND, "find", "blue mug")


async def test_sharing_contact_by_button_or_command_sends_the_personas_phone() -> None:
    term = Terminal()
    await term.type("/start", "3", "/contact +15550001111")
    contacts = [e for e in term.events if e.kind is Kind.CONTACT]
    assert [c.phone for c in contacts] == ["+15551234567", "+15550001111"]
    assert all(c.contact_user_id == CUSTOMER.user_id for c in contacts)


async def test_a_message_for_the_merchant_waits_until_switching_to_the_merchant() -> None:
    term = Terminal()
    screen = await term.type("/contact")
    assert "New customer" not in screen and "🔔 new message for the merchant" in screen
    screen = await term.type("/as merchant")
    assert term.runtime.prompt == "merchant> "
    assert "1 new message(s)" in screen and "New customer +15551234567" in screen
    await term.type("hello")
    said = term.events[-1]
    assert (said.user_id, said.chat_id, said.private) == (MERCHANT.user_id, MERCHANT.chat_id, False)


async def test_an_unknown_persona_is_refused_and_the_persona_stays() -> None:
    term = Terminal()
    screen = await term.type("/as courier")
    assert "no persona 'courier'" in screen and term.runtime.prompt == "customer> "


async def test_an_invoice_is_paid_through_precheckout_then_successful_payment() -> None:
    term = Terminal()
    screen = await term.type("/start", "1", "1")
    assert "🧾 invoice: Order A — $12.00" in screen
    screen = await term.type("[no real money]")
    assert [e.kind for e in term.events[-2:]] == [Kind.PRECHECKOUT, Kind.PAYMENT]
    assert "Paid 1200 for order:A" in screen


async def test_a_handler_that_fails_leaves_the_terminal_running() -> None:
    term = Terminal()

    async def broken(event):
        raise RuntimeError("bug")

    term.runtime.connect(broken, term.controls)
    screen = await term.type("/start")
    assert "the bot failed to answer this" in screen
    assert term.runtime.prompt == "customer> "


async def test_script_replay_checks_expectations_and_stops_at_quit() -> None:
    term = Terminal()
    lines = [
        "# the customer says hello",
        "/start",
        "/expect hello alice",
        "/expect goodbye",
        "/tick 2",
        "/quit",
        "hi",
    ]
    failures = await replay(term.runtime, term.transcript, lines)
    assert failures == 1
    assert [e.text for e in term.events] == ["start"]
    assert term.controls.ticks == 2
