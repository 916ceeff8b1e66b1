"""Two-step staff moves: ship (carrier and tracking number) and reject with a typed reason.

The press stores a prompt in `uow.dialogs` (`merchant.ship` / `merchant.reject`) with the message the
card sits on; the staff member's next text message (or `/ship <number> <carrier> <tracking>`, which
also works in a group where the bot's privacy mode hides plain messages) completes it and edits that card.
"""

from __future__ import annotations

from typing import Any

from domain.customer import clean_text
from domain.errors import InvalidInput
from domain.order import Order, validate_tracking_number
from domain.order_status import OrderStatus
from handlers.actions.merchant import ShipOrder, StopAsking
from handlers.kernel.reply import Button, Outcome, Reply
from handlers.kernel.status_text import status_label
from handlers.kernel.turn import Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.moves import locked, move, on_card, press, show_card, sync_card
from handlers.merchant.order_card import card_view, staff_names

__all__ = [
    "SHIP_PROMPT",
    "REJECT_PROMPT",
    "PROMPTS",
    "ask_shipment",
    "stop_asking",
    "on_prompt_text",
    "ship_command",
    "start_prompt",
    "back_row",
]

S = OrderStatus
SHIP_PROMPT = "merchant.ship"
REJECT_PROMPT = "merchant.reject"
PROMPTS = (SHIP_PROMPT, REJECT_PROMPT)
_MAX_REASON = 200


def back_row(turn: Turn, order: Order) -> tuple[tuple[Button, ...], ...]:
    return ((turn.button(turn._("⬅ Back"), StopAsking(order.number)),),)


async def start_prompt(turn: Turn, state: str, order: Order) -> None:
    data = {"number": order.number, "chat_id": turn.event.chat_id, "message_id": turn.event.message_id}
    await turn.uow.dialogs.set(turn.user_id, state, data)


async def _leave_prompt(turn: Turn) -> None:
    if turn.dialog and turn.dialog[0] in PROMPTS:
        await turn.uow.dialogs.clear(turn.user_id)


async def ask_shipment(desk: MerchantDesk, turn: Turn, action: ShipOrder) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.SHIPPED):
        return await press(desk, turn, action.number, S.SHIPPED)  # refuses with the current state
    await start_prompt(turn, SHIP_PROMPT, order)
    footer = turn._(
        "✍ Send the carrier and tracking number in one message, e.g. “DHL JD014600003828”, "
        "or /ship {number} <carrier> <tracking number>."
    ).format(number=order.number)
    return await show_card(desk, turn, order, footer=footer, buttons=back_row(turn, order))


async def stop_asking(desk: MerchantDesk, turn: Turn, action: StopAsking) -> Outcome:
    await _leave_prompt(turn)
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    return await show_card(desk, turn, order)


async def on_prompt_text(desk: MerchantDesk, turn: Turn) -> Outcome:
    """The message answering a ship or reject prompt."""
    state, data = turn.dialog or ("", {})
    if state == SHIP_PROMPT:
        return await _ship(desk, turn, data, turn.event.text)
    try:
        reason = clean_text(turn.event.text, "reason", max_len=_MAX_REASON)
    except InvalidInput:
        return turn.say(turn._("Please type a reason of 1-{max} characters.").format(max=_MAX_REASON))
    return await _finish(desk, turn, data, S.REJECTED, reason=reason)


async def ship_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    """/ship <number> <carrier> <tracking number>"""
    number, _sep, rest = turn.event.args.strip().partition(" ")
    if not number or not rest.strip():
        return turn.say(turn._("Usage: /ship <order number> <carrier> <tracking number>"))
    return await _ship(desk, turn, {"number": number.upper()[:12]}, rest)


async def _ship(desk: MerchantDesk, turn: Turn, data: dict[str, Any], text: str) -> Outcome:
    _ = turn._
    carrier, _sep, tracking = " ".join(text.split()).rpartition(" ")
    try:
        carrier = clean_text(carrier, "carrier", max_len=40)
        tracking = validate_tracking_number(tracking)
    except InvalidInput as error:
        if error.field == "tracking_number":
            return turn.say(
                _("That tracking number does not look right: use 5-40 letters or digits. Try again.")
            )
        return turn.say(_("Send the carrier, then the tracking number, e.g. “DHL JD014600003828”."))
    return await _finish(desk, turn, data, S.SHIPPED, shipment=(carrier, tracking))


async def _finish(
    desk: MerchantDesk, turn: Turn, data: dict[str, Any], target: OrderStatus, **how: Any
) -> Outcome:
    """Complete a prompt: move the order, edit the card the prompt sat on, confirm in this chat."""
    await _leave_prompt(turn)
    order, refusal = await move(desk, turn, str(data.get("number", "")), target, **how)
    if refusal is not None or order is None:
        return Outcome([Reply(refusal.answer or "")]) if refusal else Outcome()
    names = await staff_names(turn.uow, order)
    messages = await turn.uow.shop_messages.count_for_order(order.number)
    view = card_view(order, turn.language, names, manual_delivery=desk.manual_delivery, messages=messages)
    chat_id, message_id = data.get("chat_id"), data.get("message_id")
    if message_id is None and order.merchant_message_id is not None:  # /ship typed: edit the card itself
        chat_id, message_id = desk.chat_id, order.merchant_message_id
    replies = []
    if message_id is not None:
        replies.append(Reply(view.text, view.buttons, chat_id=chat_id, edit_message_id=message_id))
    if not on_card(desk, order, chat_id, message_id):
        await sync_card(desk, turn, order)
    done = turn._("Order {number}: {status}.").format(
        number=order.number, status=status_label(order.status, turn.language)
    )
    replies.append(Reply(done))
    return Outcome(replies)
