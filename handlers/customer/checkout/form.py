"""Checkout: a form kept in `uow.dialogs` (survives restarts); its whole state table is `STATES` below.

Steps run in order and the next one is always the first whose answer is missing: "edit" on the review
forgets that one answer, so its question is asked again and answering it returns to the review. Delivery
comes before the address so a pickup order never asks for one.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.analytics import FunnelStep
from handlers.actions.contact import WriteDeliveryNote
from handlers.actions.customer import (
    BuyNow,
    FormBack,
    FormCancel,
    FormEdit,
    FormPick,
    Menu,
    PlaceOrder,
    StartCheckout,
)
from handlers.customer.cart import priced_lines, show_cart
from handlers.customer.checkout import review
from handlers.customer.checkout.promo import ask_promo, take_promo
from handlers.customer.checkout.steps import (
    Data,
    Step,
    ask_address,
    ask_delivery,
    ask_name,
    ask_phone,
    pick_address,
    pick_delivery,
    pick_name,
    take_address,
    take_name,
    take_phone,
)
from handlers.customer.start import main_menu
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import Turn

__all__ = ["STATES", "COMMANDS", "ROUTES", "ASIDES", "on_input", "cancel", "in_form", "then_resume"]

ASIDES = frozenset({"help", "orders", "addresses", "language"})  # commands answered mid-checkout

Prompt = Callable[[Turn, Data], list[Reply] | Awaitable[list[Reply]]]
Take = Callable[[Turn, Data, str], str | None | Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class State:
    prompt: Prompt
    done: Callable[[Turn, Data], bool]  # is this step's answer already there?
    on_text: Take | None = None  # typed answer
    on_pick: Take | None = None  # a FormPick button's value
    on_contact: Take | None = None  # a shared contact's phone


def _needs_address(turn: Turn, data: Data) -> bool:
    option = turn.config.delivery(data.get("delivery", ""))
    return option is None or option.needs_address


STATES: dict[Step, State] = {
    Step.NAME: State(ask_name, lambda t, d: "name" in d, on_text=take_name, on_pick=pick_name),
    Step.PHONE: State(ask_phone, lambda t, d: "phone" in d, on_text=take_phone, on_contact=take_phone),
    Step.DELIVERY: State(ask_delivery, lambda t, d: t.config.delivery(d.get("delivery", "")) is not None,
                         on_pick=pick_delivery),
    Step.ADDRESS: State(ask_address, lambda t, d: "address" in d or not _needs_address(t, d),
                        on_text=take_address, on_pick=pick_address),
    Step.PROMO: State(ask_promo, lambda t, d: True, on_text=take_promo),  # entered from the review only
    Step.REVIEW: State(review.show, lambda t, d: False, on_text=review.take_note),
}  # fmt: skip
ORDER = list(STATES)


def in_form(turn: Turn) -> bool:
    return _form_step(turn) is not None


def _form_step(turn: Turn) -> str | None:
    """The checkout question the customer is at, or None when they are not in the form."""
    return turn.dialog[0] if turn.dialog is not None and turn.dialog[0] in STATES else None


def _next_step(turn: Turn, data: Data) -> Step:
    return next(step for step in ORDER if not STATES[step].done(turn, data))


async def _enter(turn: Turn, step: Step, data: Data, problem: str = "") -> Outcome:
    await turn.uow.dialogs.set(turn.user_id, step, data)
    turn.dialog = (step, data)
    prompt = STATES[step].prompt(turn, data)
    replies = prompt if isinstance(prompt, list) else await prompt
    if problem:  # the question asked again in place, with what was wrong above it
        text = "\n\n".join([problem, *(r.text for r in replies)])
        replies = [await _asked_again(turn, dataclasses.replace(replies[-1], text=text))]
    # the question's message id is kept with the dialog once sent (bot.wiring.sent): a wrong answer edits it
    replies[-1] = dataclasses.replace(replies[-1], dialog=str(step))
    return Outcome(replies=list(replies))


async def _asked_again(turn: Turn, question: Reply) -> Reply:
    """The question asked again in place of itself: a pressed button's message is edited anyway; else the
    message the question was last shown in, as the database remembers it (after a restart too), or else
    the bot's last message in the chat, as the runtime remembers it."""
    if turn.event.kind is Kind.BUTTON:
        return question
    shown = await turn.uow.dialogs.message_of(turn.user_id)
    if shown is None:
        return dataclasses.replace(question, edit_last=True)
    return dataclasses.replace(question, edit_message_id=shown)


def _current(turn: Turn) -> tuple[Step, Data]:
    assert turn.dialog is not None
    return Step(turn.dialog[0]), dict(turn.dialog[1])


async def _advance(turn: Turn, take: Take | None, value: str, *, wrong: str) -> Outcome:
    step, data = _current(turn)
    if take is None:
        return await _enter(turn, step, data, wrong)
    problem = take(turn, data, value)
    if inspect.isawaitable(problem):
        problem = await problem
    if problem:
        return await _enter(turn, step, data, problem)
    outcome = await _enter(turn, _next_step(turn, data), data)
    if step is Step.PHONE:
        outcome.replies.insert(0, Reply(turn._("Thanks, noted."), remove_keyboard=True))
    return outcome


def _remembered(turn: Turn) -> Data:
    """What a returning customer's checkout starts from: the last recipient, phone and delivery choice,
    and the default address; every one of them can be changed from the review."""
    customer, data = turn.customer, Data()
    if customer.recipient and customer.phone:
        data.update(name=customer.recipient, phone=customer.phone)
    option = turn.config.delivery(customer.last_delivery)
    if option is not None and data:
        data["delivery"] = option.code
        if option.needs_address and customer.default_address is not None:
            pick_address(turn, data, "0")
    return data


async def start(turn: Turn, _action: object = None) -> Outcome:
    lines, _gone = await priced_lines(turn, await turn.uow.carts.get(turn.user_id))
    if not lines:
        return turn.say(turn._("Your cart is empty. Add something first."), [[turn.button("⬅", Menu())]])
    if not in_form(turn):
        await turn.uow.funnel.record(FunnelStep.CHECKOUT_STARTED, turn.user_id, turn.now)
    data: Data = _current(turn)[1] if in_form(turn) else _remembered(turn)
    data.pop("quote", None)
    return await _enter(turn, _next_step(turn, data), data)


async def buy_now(turn: Turn, action: BuyNow) -> Outcome:
    """The product card's "Buy now": at least this many in the cart, then checkout (the review, for a
    customer whose details are known)."""
    cart = await turn.uow.carts.get(turn.user_id)
    if cart.quantity(action.sku) < action.qty:
        cart.set_quantity(action.sku, action.qty)
        await turn.uow.carts.save(cart, now=turn.now)
    return await start(turn)


async def on_input(turn: Turn) -> Outcome:
    """Anything typed, shared or sent while the form is open (except /cancel)."""
    step, data = _current(turn)
    state, event = STATES[step], turn.event
    if event.kind is Kind.TEXT:
        return await _advance(turn, state.on_text, event.text, wrong=turn._("Please use the buttons below."))
    if event.kind is Kind.CONTACT:
        return await _advance(turn, state.on_contact, event.phone, wrong=turn._("That is not needed here."))
    if event.kind is Kind.COMMAND:
        wrong = turn._("You are in the middle of checkout. Answer below, or send /cancel to stop.")
    else:
        wrong = turn._("I cannot use that here. Please answer with text or the buttons.")
    return await _enter(turn, step, data, wrong)


async def pick(turn: Turn, action: FormPick) -> Outcome:
    if _form_step(turn) != action.step:
        return await _stale(turn)
    return await _advance(turn, STATES[Step(action.step)].on_pick, action.value, wrong="")


async def back(turn: Turn, action: FormBack) -> Outcome:
    if _form_step(turn) != action.step:
        return await _stale(turn)
    step, data = _current(turn)
    data.pop("quote", None)
    if step is Step.PROMO:  # "Have a code?" was asked from the review: back is the review
        return await _enter(turn, Step.REVIEW, data)
    skipped = {Step.PROMO} | (set() if _needs_address(turn, data) else {Step.ADDRESS})
    earlier = [s for s in ORDER[: ORDER.index(step)] if s not in skipped]
    if not earlier:  # back from the first question: leave the form for the cart
        await turn.uow.dialogs.clear(turn.user_id)
        return await show_cart(turn)
    return await _enter(turn, earlier[-1], data)


async def edit(turn: Turn, action: FormEdit) -> Outcome:
    if _form_step(turn) != Step.REVIEW or action.step not in STATES:
        return await _stale(turn)
    _step, data = _current(turn)
    data.pop("quote", None)
    if action.step == Step.PROMO:  # "Have a code?", or removing the code applied
        return await _enter(turn, Step.REVIEW if data.pop("promo", None) else Step.PROMO, data)
    field = {Step.NAME: "name", Step.PHONE: "phone", Step.DELIVERY: "delivery", Step.ADDRESS: "address"}
    data.pop(field.get(Step(action.step), ""), None)
    return await _enter(turn, _next_step(turn, data), data)


async def cancel(turn: Turn, _action: object = None) -> Outcome:
    had_form = turn.dialog is not None
    await turn.uow.dialogs.clear(turn.user_id)
    turn.dialog = None
    text = turn._("Checkout cancelled. Your cart is kept.") if had_form else turn._("Nothing to cancel.")
    menu = turn.reply(turn._("Main menu:"), main_menu(turn))
    return Outcome(replies=[Reply(text, remove_keyboard=True), menu])


def then_resume(turn: Turn, aside: Outcome) -> Outcome:
    """`aside` (a command answered in the middle of checkout) followed by the way back to the checkout."""
    back = turn.button(turn._("↩ Continue checkout"), StartCheckout())
    # the last message now: a wrong answer next replaces it (not the question further up) with the question
    note = Reply(
        turn._("Your checkout is kept where you left it."), buttons=((back,),), dialog=_form_step(turn)
    )
    return Outcome([*aside.replies, note], aside.answer, aside.alert)


async def _stale(turn: Turn) -> Outcome:
    """A form button from an older message: repeat the current question, or say the checkout ended."""
    if in_form(turn):
        step, data = _current(turn)
        outcome = await _enter(turn, step, data)
    else:
        outcome = turn.say(turn._("This checkout has ended."), [[turn.button("⬅", Menu())]])
    outcome.answer = turn._("This button is out of date.")
    return outcome


COMMANDS = {"checkout": start, "cancel": cancel}

ROUTES = {
    StartCheckout: start,
    BuyNow: buy_now,
    FormPick: pick,
    FormBack: back,
    FormEdit: edit,
    FormCancel: cancel,
    PlaceOrder: review.place,
    WriteDeliveryNote: review.ask_note,
}
