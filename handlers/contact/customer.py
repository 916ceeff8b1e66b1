"""A customer writes to the shop: "💬 Contact the shop" (in /help, on order details and on every problem
message) opens a one-message form kept in `uow.dialogs` as ("contact.write", {"number"}); the next text
or photo goes to the merchant chat with the order's context, and the customer is told it was passed on.

Flooding is refused politely: at most `RATE_LIMIT` messages per `RATE_WINDOW`, then "please wait".
"""

from __future__ import annotations

from domain.conversation import RATE_LIMIT, RATE_WINDOW, Direction, ShopMessage, clean_message
from domain.errors import InvalidInput
from domain.events import OrderMessageAdded
from domain.order import Order
from handlers.actions.contact import ContactShop
from handlers.actions.customer import Menu
from handlers.contact.relay import relay_to_shop
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Turn

__all__ = [
    "WRITING",
    "COMMANDS",
    "ROUTES",
    "writing",
    "start_writing",
    "on_message",
    "leave_unless_message",
]

WRITING = "contact.write"


def writing(turn: Turn) -> bool:
    return turn.dialog is not None and turn.dialog[0] == WRITING


async def leave_unless_message(turn: Turn) -> None:
    """A button or a command while writing to the shop leaves that form: a search typed afterwards must
    not go to the shop."""
    if writing(turn) and turn.event.kind in (Kind.BUTTON, Kind.COMMAND):
        await turn.uow.dialogs.clear(turn.user_id)
        turn.dialog = None


async def _order(turn: Turn, number: str) -> Order | None:
    order = await turn.uow.orders.get(number) if number else None
    return order if order is not None and order.customer_id == turn.user_id else None


async def start_writing(turn: Turn, action: ContactShop | None = None) -> Outcome:
    if turn.config.merchant_chat_id is None:  # nowhere to pass a message on to
        text = turn._("Sorry, messages to the shop cannot be sent from here right now.")
        return turn.say(text, [[turn.button(turn._("⬅ Menu"), Menu())]])
    order = await _order(turn, action.number if action else "")
    await turn.uow.dialogs.set(turn.user_id, WRITING, {"number": order.number if order else ""})
    _ = turn._
    if order is not None:
        text = _("Write your message to {shop} about order {number}: text, or a photo with a caption.")
        text = text.format(shop=turn.config.shop_name, number=order.number)
    else:
        text = _("Write your message to {shop}: text, or a photo with a caption.").format(
            shop=turn.config.shop_name
        )
    return turn.say(text, [[turn.button(_("✖ Cancel"), Menu())]])


async def command(turn: Turn) -> Outcome:
    return await start_writing(turn)


async def on_message(turn: Turn) -> Outcome:
    _ = turn._
    event = turn.event
    photo = event.photo if event.kind is Kind.PHOTO else None
    if event.kind not in (Kind.TEXT, Kind.PHOTO):
        return turn.say(_("Please send text or a photo (stickers and files cannot be passed on)."))
    try:
        text = clean_message(event.text, photo=photo)
    except InvalidInput:
        return turn.say(_("That message is too long: please keep it under 2000 characters."))
    recent = await turn.uow.shop_messages.sent_by_customer_since(turn.user_id, turn.now - RATE_WINDOW)
    if recent >= RATE_LIMIT:
        return turn.say(
            _("You have written several messages in the last minute. Please wait a minute before the next.")
        )
    data = turn.dialog[1] if turn.dialog else {}
    order = await _order(turn, str(data.get("number", "")))
    message = ShopMessage(
        turn.user_id,
        Direction.FROM_CUSTOMER,
        text,
        turn.now,
        order_number=order.number if order else None,
        photo=photo,
    )
    await turn.uow.shop_messages.add(message)
    who = turn.customer.display_name or event.user_name or f"#{turn.user_id}"
    await relay_to_shop(turn.uow, message, order, who=who[:64], chat_id=turn.config.merchant_chat_id)
    if order is not None:
        turn.events.append(OrderMessageAdded(order.number))
    await turn.uow.dialogs.clear(turn.user_id)
    done = _("Thank you! Your message was passed on to {shop}. Their answer will come here.")
    return turn.say(done.format(shop=turn.config.shop_name), [[turn.button(_("⬅ Menu"), Menu())]])


COMMANDS = {"contact": command}
ROUTES = {ContactShop: start_writing}
