"""The staff prompts on an order: ship (carrier and tracking number), correct a tracking number, and
reject with a typed reason. When a prompt takes its answer, and what ends it, is `prompting`'s.

🚚 Ship edits the card with the shop's usual carriers as buttons and sends a prompt message the answer
replies to. A bare number is enough (a UPU S10 number names its postal carrier; any other is left to the
tracking provider to detect); carrier and number come in one message or in two. `/ship <number>
<carrier> <tracking>` skips the prompt.
"""

from __future__ import annotations

from typing import Any

from domain.customer import clean_text
from domain.errors import InvalidInput
from domain.order import Order
from domain.order_status import OrderStatus
from domain.tracking.numbers import parse_shipment
from handlers.actions.merchant import FixTracking, ShipOrder, ShipVia, StopAsking
from handlers.kernel.reply import Button, Outcome, Reply
from handlers.kernel.status_text import status_label
from handlers.kernel.turn import Turn
from handlers.merchant.aftercare.tracking_fix import CORRECTABLE, correct_tracking
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.moves import locked, move, on_card, press, show_card, sync_card
from handlers.merchant.order_card import card_view_for
from handlers.merchant.prompting import (
    REJECT_PROMPT,
    SHIP_PROMPT,
    leave_prompt,
    open_prompt,
    prompt_message,
    start_prompt,
)

__all__ = [
    "ask_shipment",
    "ask_correction",
    "ship_via",
    "stop_asking",
    "on_prompt_text",
    "ship_command",
    "back_row",
    "ask_reason",
    "start_shipping",
    "card_edit",
    "ask_on_card",
]

S = OrderStatus
_MAX_REASON = 200


def back_row(turn: Turn, order: Order) -> tuple[tuple[Button, ...], ...]:
    return ((turn.button(turn._("⬅ Back"), StopAsking(order.number)),),)


def _carrier_rows(desk: MerchantDesk, turn: Turn, order: Order) -> tuple[tuple[Button, ...], ...]:
    buttons = [turn.button(name, ShipVia(order.number, name.replace(" ", "_"))) for name in desk.carriers]
    return tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))


def _number_question(turn: Turn) -> str:
    return turn._(
        "Send the tracking number — alone (the carrier is detected) or after the carrier, "
        "e.g. “DHL JD014600003828”."
    )


async def start_shipping(desk: MerchantDesk, turn: Turn, order: Order, **extra: Any) -> Outcome:
    await start_prompt(turn, SHIP_PROMPT, order.number, **extra)
    footer = turn._("✍ Waiting for the tracking number from {name}: reply to the message below.").format(
        name=turn.customer.display_name or f"#{turn.user_id}"
    )
    rows = _carrier_rows(desk, turn, order) + back_row(turn, order)
    outcome = await show_card(desk, turn, order, footer=footer, buttons=rows)
    outcome.replies.append(prompt_message(turn, order.number, _number_question(turn)))
    return outcome


async def ask_shipment(desk: MerchantDesk, turn: Turn, action: ShipOrder) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.SHIPPED):
        return await press(desk, turn, action.number, S.SHIPPED)  # refuses with the current state
    return await start_shipping(desk, turn, order)


async def ask_correction(desk: MerchantDesk, turn: Turn, action: FixTracking) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or order.status not in CORRECTABLE:
        return await press(desk, turn, action.number, S.SHIPPED)
    return await start_shipping(desk, turn, order, fix=True)


async def ship_via(desk: MerchantDesk, turn: Turn, action: ShipVia) -> Outcome:
    """A carrier button: keep it with the open prompt; the number comes next."""
    prompt = open_prompt(turn)
    order = await locked(desk, turn, action.number)
    if order is None or prompt is None or prompt.subject != action.number:
        return turn.toast(turn._("This prompt has ended; press 🚚 Ship again."), alert=True)
    await start_prompt(turn, SHIP_PROMPT, order.number, **{**prompt.data, "carrier": action.label})
    return turn.toast(turn._("{carrier}: now send the tracking number.").format(carrier=action.label))


async def stop_asking(desk: MerchantDesk, turn: Turn, action: StopAsking) -> Outcome:
    await leave_prompt(turn)
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    return await show_card(desk, turn, order)


async def ask_on_card(
    desk: MerchantDesk, turn: Turn, order: Order, state: str, *, footer: str, question: str
) -> Outcome:
    """Open a prompt on the order: the card says what it waits for, a force_reply message asks."""
    await start_prompt(turn, state, order.number)
    outcome = await show_card(desk, turn, order, footer=footer, buttons=back_row(turn, order))
    outcome.replies.append(prompt_message(turn, order.number, question))
    return outcome


async def ask_reason(desk: MerchantDesk, turn: Turn, order: Order) -> Outcome:
    footer = turn._("✍ Type the reason for the customer in one message.")
    question = turn._("The reason the customer will read:")
    return await ask_on_card(desk, turn, order, REJECT_PROMPT, footer=footer, question=question)


async def on_prompt_text(desk: MerchantDesk, turn: Turn) -> Outcome:
    """The message answering a ship or reject prompt."""
    prompt = open_prompt(turn)
    if prompt is None:
        return Outcome()
    if prompt.state == SHIP_PROMPT:
        return await _ship(desk, turn, prompt.data, turn.event.text)
    try:
        reason = clean_text(turn.event.text, "reason", max_len=_MAX_REASON)
    except InvalidInput:
        return turn.say(turn._("Please type a reason of 1-{max} characters.").format(max=_MAX_REASON))
    return await _finish(desk, turn, prompt.data, S.REJECTED, reason=reason)


async def ship_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    """/ship <number> <carrier> <tracking number>"""
    number, _sep, rest = turn.event.args.strip().partition(" ")
    if not number or not rest.strip():
        return turn.say(turn._("Usage: /ship <order number> <carrier> <tracking number>"))
    return await _ship(desk, turn, {"number": number.upper()[:12]}, rest)


async def _ship(desk: MerchantDesk, turn: Turn, data: dict[str, Any], text: str) -> Outcome:
    _ = turn._
    try:
        parsed = parse_shipment(text)
    except InvalidInput as error:
        if error.field == "tracking_number":
            return turn.say(
                _("That tracking number does not look right: use 5-40 letters or digits. Try again.")
            )
        return turn.say(_("Send the carrier, then the tracking number, e.g. “DHL JD014600003828”."))
    carrier = parsed.carrier or str(data.get("carrier", ""))
    if not parsed.tracking_number:  # a carrier alone: the number comes in the next message
        if open_prompt(turn) is None:
            return turn.say(_("Usage: /ship <order number> <carrier> <tracking number>"))
        await start_prompt(turn, SHIP_PROMPT, str(data["number"]), **{**data, "carrier": carrier})
        return turn.say(_("{carrier}: now send the tracking number.").format(carrier=carrier))
    if data.get("fix"):
        await leave_prompt(turn)
        number = str(data["number"])
        order, refusal = await correct_tracking(desk, turn, number, carrier, parsed.tracking_number)
        if order is None:
            return turn.say(refusal)
        done = _("✏ Order {number}: tracking number corrected; the customer has the new one.")
        return Outcome([*await card_edit(desk, turn, order, data), Reply(done.format(number=order.number))])
    return await _finish(desk, turn, data, S.SHIPPED, shipment=(carrier, parsed.tracking_number))


async def _finish(
    desk: MerchantDesk, turn: Turn, data: dict[str, Any], target: OrderStatus, **how: Any
) -> Outcome:
    """Complete a prompt: move the order, edit the card the prompt sat on, confirm in this chat."""
    await leave_prompt(turn)
    order, refusal = await move(desk, turn, str(data.get("number", "")), target, **how)
    if refusal is not None or order is None:
        return Outcome([Reply(refusal.answer or "")]) if refusal else Outcome()
    replies = [*await card_edit(desk, turn, order, data)]
    done = turn._("Order {number}: {status}.").format(
        number=order.number, status=status_label(order.status, turn.language)
    )
    replies.append(Reply(done))
    return Outcome(replies)


async def card_edit(desk: MerchantDesk, turn: Turn, order: Order, data: dict[str, Any]) -> list[Reply]:
    """The card the prompt sat on, redrawn; the merchant-chat card too when the prompt was elsewhere."""
    view = await card_view_for(turn.uow, order, turn.language, manual_delivery=desk.manual_delivery)
    chat_id, message_id = data.get("chat_id"), data.get("message_id")
    if message_id is None and order.merchant_message_id is not None:  # /ship typed: edit the card itself
        chat_id, message_id = desk.chat_id, order.merchant_message_id
    replies = []
    if message_id is not None:
        replies.append(Reply(view.text, view.buttons, chat_id=chat_id, edit_message_id=message_id))
    if not on_card(desk, order, chat_id, message_id):
        await sync_card(desk, turn, order)
    return replies
