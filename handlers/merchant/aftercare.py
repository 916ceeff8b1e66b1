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

from domain.actor import Actor
from domain.customer import clean_text
from domain.errors import IllegalTransition, InvalidInput
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.ports import StockAudit
from domain.services import change_status
from handlers.actions.aftercare import ContactCustomer, MarkCashPaid, RefundOrder, ReturnOrder, ShipAgain
from handlers.kernel.i18n import translations
from handlers.kernel.outbox import write_reply
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import AfterCommit, Finish, Turn
from handlers.merchant.moves import locked, press, show_card
from handlers.merchant.prompting import MESSAGE_PROMPT, open_prompt
from handlers.merchant.prompts import ask_on_card, back_row, card_edit, start_shipping
from handlers.payments.notices import PaymentNotices
from handlers.payments.refunds import refund_by_hand_alert

if TYPE_CHECKING:
    from handlers.merchant.desk import MerchantDesk

__all__ = ["contact_customer", "on_message_text", "ship_again", "return_order", "refund", "collect_cash"]

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


async def return_order(desk: MerchantDesk, turn: Turn, action: ReturnOrder) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.RETURNED):
        return await press(desk, turn, action.number, S.RETURNED)
    if action.restock < 0:
        rows = (
            (turn.button(turn._("✅ Back on sale"), ReturnOrder(order.number, 1)),),
            (turn.button(turn._("🚫 Keep off sale (damaged)"), ReturnOrder(order.number, 0)),),
            *back_row(turn, order),
        )
        footer = turn._("The goods came back. Put them back on sale?")
        return await show_card(desk, turn, order, footer=footer, buttons=rows)
    if action.restock:
        await _restock(turn, order)
    return await press(desk, turn, order.number, S.RETURNED)


async def _restock(turn: Turn, order: Order) -> None:
    for line in order.lines:
        level = await turn.uow.stocks.get(line.sku)
        if level is None:
            continue
        level.restock(line.quantity)
        change = f"return {order.number} +{line.quantity}"
        await turn.uow.stocks.save(level, StockAudit(line.sku, Actor.staff(turn.user_id), turn.now, change))


async def refund(desk: MerchantDesk, turn: Turn, action: RefundOrder) -> Outcome:
    """Refunded now; the provider's refund runs after commit (no call while the transaction is open)."""
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.REFUNDED):
        return await press(desk, turn, action.number, S.REFUNDED)
    _ = turn._
    if not action.confirmed:
        yes = _("💸 Yes, refund {amount}").format(amount=order.total)
        footer = _("Refund {amount} to the customer?").format(amount=order.total)
        rows = ((turn.button(yes, RefundOrder(order.number, True)),), *back_row(turn, order))
        return await show_card(desk, turn, order, footer=footer, buttons=rows)
    await change_status(turn.uow, order, S.REFUNDED, Actor.staff(turn.user_id), turn.now)
    notices = PaymentNotices(desk.chat_id)
    by_provider = order.payment_method is not PaymentMethod.CASH and bool(order.provider_charge_id)
    if by_provider and desk.gateway is not None:
        turn.after_commit(_provider_refund(desk, order, notices))
        return await show_card(desk, turn, order, toast=_("💸 Refund sent to the payment provider."))
    await notices.refunded(turn.uow, order, order.total, turn.now)
    toast = _("Hand the money back to the customer: {amount}.").format(amount=order.total)
    return await show_card(desk, turn, order, toast=toast, alert=True)


def _provider_refund(desk: MerchantDesk, order: Order, notices: PaymentNotices) -> AfterCommit:
    async def call() -> Finish:
        try:
            assert desk.gateway is not None
            refund_id: str | None = await desk.gateway.refund(order, order.total)
        except Exception:  # noqa: BLE001 - the provider refused or is down: staff refund by hand
            log.warning("refund_failed", order=order.number, exc_info=True)
            refund_id = None

        async def finish(turn: Turn) -> Outcome:
            if refund_id is not None:
                await notices.refunded(turn.uow, order, order.total, turn.now)
                return Outcome()
            await refund_by_hand_alert(turn.uow, order, desk.chat_id, turn.now)
            return Outcome()

        return finish

    return call


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
