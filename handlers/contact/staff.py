"""Staff answer customers and keep internal notes on orders.

An answer is a reply (in Telegram's sense) to the relayed message in the merchant chat, or the answer to
the prompt its "↩ Reply" button opens; it reaches the customer signed with the shop's name. "🗂 Thread"
shows an order's conversation and notes; "📝 Add note" asks for an internal note, which customers never
see. Both questions are staff prompts (`handlers.merchant.prompting`): they take only a reply to their ✍
message (or to the message they were opened from) or the same staff member's next plain message; a
command, another button, a reply to something else or the timeout end them and say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.conversation import Direction, ShopMessage, clean_message
from domain.customer import clean_text
from domain.errors import InvalidInput
from domain.events import OrderMessageAdded
from handlers.actions.contact import AddOrderNote, AnswerCustomer, OrderThread
from handlers.actions.merchant import OpenOrder
from handlers.contact.relay import answer_to_customer
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Rows, Turn
from handlers.merchant.prompting import (
    ANSWER_PROMPT,
    NOTE_PROMPT,
    leave_prompt,
    open_prompt,
    prompt_message,
    start_prompt,
)

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["ANSWERING", "NOTING", "ask_answer", "on_answer", "on_reply", "show_thread", "ask_note", "on_note"]

ANSWERING = ANSWER_PROMPT
NOTING = NOTE_PROMPT
MAX_NOTE = 500


async def ask_answer(desk: MerchantDesk, turn: Turn, action: AnswerCustomer) -> Outcome:
    original = await turn.uow.shop_messages.get(action.message_id)
    if original is None or original.id is None:
        return turn.toast(turn._("That message was not found."), alert=True)
    # The subject names this message only: a reply to an older prompt (on its order) never answers it.
    subject = f"💬{original.id}"
    await start_prompt(turn, ANSWERING, subject, message=original.id)
    text = turn._("Write the answer; the customer gets it signed “{shop}”.").format(
        shop=turn.config.shop_name
    )
    # A new message (the relayed one stays as it is) that opens the reply box, in groups too.
    return Outcome([prompt_message(turn, subject, text)])


async def on_answer(desk: MerchantDesk, turn: Turn) -> Outcome:
    """The answer to the prompt "↩ Reply" opened."""
    prompt = open_prompt(turn)
    original = await turn.uow.shop_messages.get(int(prompt.data.get("message", 0) or 0)) if prompt else None
    if original is None:
        await leave_prompt(turn)
        return turn.say(turn._("That message was not found."))
    outcome, sent = await _answer(turn, original)
    if sent:  # a refused answer (a sticker, too long) leaves the prompt open for the right one
        await leave_prompt(turn)
    return outcome


async def on_reply(desk: MerchantDesk, turn: Turn) -> Outcome:
    """A staff message replying to a message in the merchant chat: an answer when that was a relayed one."""
    replied = turn.event.reply_to_message_id
    original = await turn.uow.shop_messages.relayed_as(replied) if replied is not None else None
    if original is None or original.direction is not Direction.FROM_CUSTOMER:
        return Outcome()  # staff talking among themselves
    return (await _answer(turn, original))[0]


async def _answer(turn: Turn, original: ShopMessage) -> tuple[Outcome, bool]:
    """What the staff member reads, and whether the answer went to the customer."""
    event = turn.event
    photo = event.photo if event.kind is Kind.PHOTO else None
    if event.kind not in (Kind.TEXT, Kind.PHOTO):
        return turn.say(turn._("Only text or a photo can be passed on to the customer.")), False
    try:
        text = clean_message(event.text, photo=photo)
    except InvalidInput:
        return turn.say(turn._("That answer is too long: please keep it under 2000 characters.")), False
    answer = ShopMessage(
        original.customer_id,
        Direction.FROM_SHOP,
        text,
        turn.now,
        order_number=original.order_number,
        photo=photo,
        staff_id=turn.user_id,
    )
    await turn.uow.shop_messages.add(answer)
    await answer_to_customer(turn.uow, answer, shop_name=turn.config.shop_name, now=turn.now)
    if answer.order_number:
        turn.events.append(OrderMessageAdded(answer.order_number))
    sent = turn._("Sent to the customer, signed “{shop}”.").format(shop=turn.config.shop_name)
    return turn.say(sent), True


async def show_thread(desk: MerchantDesk, turn: Turn, action: OrderThread) -> Outcome:
    _ = turn._
    if turn.dialog and turn.dialog[0] == NOTING:  # the note prompt's ✖ Cancel leads here
        await leave_prompt(turn)
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.toast(_("Order {number} was not found.").format(number=action.number), alert=True)
    messages = await turn.uow.shop_messages.for_order(order.number)
    zone = ZoneInfo(turn.config.timezone)  # times as the shop reads them
    lines = [_("🗂 Order {number}: messages and notes").format(number=order.number)]
    for message in messages:
        when = message.at.astimezone(zone).strftime("%m-%d %H:%M")
        label = {
            Direction.FROM_CUSTOMER: _("Customer"),
            Direction.FROM_SHOP: _("Shop"),
            Direction.STAFF_NOTE: _("📝 Note (staff only)"),
        }[message.direction]
        photo = " 🖼" if message.photo else ""
        lines.append(f"{when} {label}{photo}: {message.text}")
    if not messages:
        lines.append(_("No messages yet."))
    rows: Rows = [
        [turn.button(_("📝 Add note"), AddOrderNote(order.number))],
        [turn.button(_("⬅ Order"), OpenOrder(order.number))],
    ]
    return turn.say("\n".join(lines)[:4000], rows)


async def ask_note(desk: MerchantDesk, turn: Turn, action: AddOrderNote) -> Outcome:
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    # The subject is not the bare number: a reply to an older prompt on this order never answers it.
    await start_prompt(turn, NOTING, f"📝{order.number}", order=order.number)
    text = turn._("Write the note for order {number}; only staff see it.").format(number=order.number)
    outcome = turn.say(text, [[turn.button(turn._("✖ Cancel"), OrderThread(order.number))]])
    if not turn.event.private:  # the reply box opens for this staff member (force_reply)
        outcome.replies.append(prompt_message(turn, f"📝{order.number}", text))
    return outcome


async def on_note(desk: MerchantDesk, turn: Turn) -> Outcome:
    prompt = open_prompt(turn)
    order = await turn.uow.orders.get(prompt.order_number) if prompt else None
    if order is None:
        await leave_prompt(turn)
        return turn.say(turn._("That order was not found."))
    text = _note_text(turn)
    if text is None:
        return turn.say(turn._("A note is 1-{max} characters of text. Try again.").format(max=MAX_NOTE))
    note = ShopMessage(
        order.customer_id, Direction.STAFF_NOTE, text, turn.now, order.number, staff_id=turn.user_id
    )
    await turn.uow.shop_messages.add(note)
    await leave_prompt(turn)
    return await show_thread(desk, turn, OrderThread(order.number))


def _note_text(turn: Turn) -> str | None:
    """The note typed, or None for one too long, empty or not text (a photo, a sticker)."""
    if turn.event.kind is not Kind.TEXT:
        return None
    try:
        return clean_text(turn.event.text, "note", max_len=MAX_NOTE)
    except InvalidInput:
        return None
