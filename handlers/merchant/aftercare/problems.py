"""Next steps once an order has left the warehouse: a delivery problem, a return, a refund, cash collected.

- ✉ Contact customer: the staff member's answer to the prompt goes to the customer, about that order.
- 🚚 Ship again: a lost or returned parcel goes out again with a new tracking number (the ship prompt).
- ↩ Mark returned: the goods came back; staff choose whether they go back on sale (restocked, audited).
- 💸 Refund: money back through the payment provider (or by hand: cash, no provider); the order is
  Refunded and the customer is told.
- 💵 Cash received: a cash-on-delivery order's money reached the shop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from domain.customer import clean_text
from domain.errors import IllegalTransition, InvalidInput
from domain.order_status import OrderStatus
from handlers.actions.aftercare import ContactCustomer, MarkCashPaid, ShipAgain
from handlers.kernel.i18n import translations
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import Turn
from handlers.merchant.moves import locked, press, show_card
from handlers.merchant.prompting import MESSAGE_PROMPT, open_prompt
from handlers.merchant.prompts import ask_on_card, card_edit, start_shipping

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["contact_customer", "on_message_text", "ship_again", "collect_cash"]

log = structlog.get_logger(__name__)
S = OrderStatus
_MAX_MESSAGE = 1000


async def contact_customer(desk: MerchantDesk, turn: Turn, action: ContactCustomer) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    footer = turn._("✍ Waiting for the message to the customer: reply to the message below.")
    question = turn._("What should the customer read? It is sent as it is, about this order.")
    return await ask_on_card(desk, turn, order, MESSAGE_PROMPT, footer=footer, question=question)


async def on_message_text(desk: MerchantDesk, turn: Turn) -> Outcome:
    prompt = open_prompt(turn)
    if prompt is None:
        return Outcome()
    try:
        text = clean_text(turn.event.text, "message", max_len=_MAX_MESSAGE)
    except InvalidInput:
        return turn.say(turn._("Please write 1-{max} characters.").format(max=_MAX_MESSAGE))
    await turn.uow.dialogs.clear(turn.user_id)
    order = await turn.uow.orders.get(prompt.subject)
    if order is None:
        return turn.say(turn._("Order {number} was not found.").format(number=prompt.subject))
    customer = await turn.uow.customers.get(order.customer_id)
    _ = translations(customer.language if customer else "en").gettext
    note = _("✉ From {shop} about your order {number}:")
    note = note.format(shop=turn.config.shop_name, number=order.number)
    await write_reply(turn.uow, order.customer_id, Reply(f"{note}\n{text}"), turn.now)
    sent = turn._("✉ Sent to the customer of order {number}.").format(number=order.number)
    return Outcome([*await card_edit(desk, turn, order, prompt.data), Reply(sent)])


async def ship_again(desk: MerchantDesk, turn: Turn, action: ShipAgain) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.SHIPPED):
        return await press(desk, turn, action.number, S.SHIPPED)  # refuses with the current state
    return await start_shipping(desk, turn, order)


async def collect_cash(desk: MerchantDesk, turn: Turn, action: MarkCashPaid) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    try:
        order.collect_cash(turn.now)
    except IllegalTransition:
        text = turn._("Nothing to collect on this order.")
        return await show_card(desk, turn, order, toast=text, alert=True)
    await turn.uow.orders.save(order)
    return await show_card(desk, turn, order, toast=turn._("💵 Cash received."))
