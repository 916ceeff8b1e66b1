"""Returns and refunds from the order card: the whole order or some units of a line, goods back on sale
or not (staff choose), money back through the payment provider (after commit) or by hand.

- ↩ Mark returned: all of it (the order becomes Returned, then 💸 Refund), or "part" per line with a
  quantity (never more than is still with the customer): those units are refunded at the price paid and
  the order stays where it is, showing "Refunded so far"; a later full refund gives back only the rest.
  Part-returns that add up to the whole order (every unit of every line, all of the money) make it
  Refunded.
- 💸 Refund: the order is Refunded now; the provider's refund of what is left is owed in the same
  transaction and asked for after the commit (`handlers.payments.refunds`: retried by the job until the
  provider answers; a refusal asks the merchant chat to refund by hand). Not when that refund is owed
  already (a paid order rejected or cancelled owes it at once; the order becomes Refunded when the
  provider confirms): the card says it is on its way, or asks for it by hand, and a press changes nothing.
- ✅ Refunded by hand: a refund the provider would not make (refused, or kept failing) went back outside
  the bot; the customer reads it as they would an issued refund, and the card stops asking. When it was
  the whole payment of a rejected or cancelled order, the order becomes Refunded.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.actor import Actor
from domain.money import Money
from domain.order import Order, OrderLine
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.refunds import PendingRefund, RefundNotice, RefundState
from domain.ports import StockAudit
from domain.services import change_status
from handlers.actions.aftercare import RefundedByHand, RefundOrder, ReturnLine, ReturnOrder
from handlers.kernel.reply import Button, Outcome
from handlers.kernel.turn import Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.moves import locked, press, show_card
from handlers.merchant.order_card import refund_of_rest
from handlers.merchant.prompts import back_row
from handlers.payments.notices import PaymentNotices
from handlers.payments.refunds import issue_after_commit, owe_refund, tell_issued

__all__ = ["return_order", "return_line", "refund", "refunded_by_hand"]

S = OrderStatus
_PARTLY = (S.DELIVERED, S.COMPLETED, S.DELIVERY_EXCEPTION)  # goods with the customer, some may come back


def _restock_rows(turn: Turn, make: Callable[[int], ReturnOrder | ReturnLine]) -> list[tuple[Button, ...]]:
    return [
        (turn.button(turn._("✅ Back on sale"), make(1)),),
        (turn.button(turn._("🚫 Keep off sale (damaged)"), make(0)),),
    ]


async def return_order(desk: MerchantDesk, turn: Turn, action: ReturnOrder) -> Outcome:
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.RETURNED):
        return await press(desk, turn, action.number, S.RETURNED)
    if action.restock < 0:
        rows = _restock_rows(turn, lambda restock: ReturnOrder(order.number, restock))
        if order.status in _PARTLY and order.is_paid:
            part = turn._("Part: {name} ({left} of {quantity} left)")
            for i, line in enumerate(order.lines):
                label = part.format(name=line.name[:30], left=line.left, quantity=line.quantity)
                rows += [(turn.button(label, ReturnLine(order.number, i)),)] if line.left else []
        footer = turn._("The goods came back. Put them back on sale?")
        return await show_card(desk, turn, order, footer=footer, buttons=(*rows, *back_row(turn, order)))
    back = [(i, line.left) for i, line in enumerate(order.lines) if line.left]  # what is still out
    for i, quantity in back:
        order.record_return(i, quantity)
    if action.restock:
        await _restock(turn, order, [(order.lines[i], quantity) for i, quantity in back])
    await turn.uow.orders.save(order)
    return await press(desk, turn, order.number, S.RETURNED)


async def return_line(desk: MerchantDesk, turn: Turn, action: ReturnLine) -> Outcome:
    """Some units of one line came back: how many, back on sale or not, then refunded at the price paid."""
    order = await locked(desk, turn, action.number)
    if order is None or order.status not in _PARTLY or not order.is_paid or action.line >= len(order.lines):
        return await press(desk, turn, action.number, S.RETURNED)
    line = order.lines[action.line]
    quantity = action.quantity
    if quantity > line.left:  # an old button, or a second press: never more back than was sold
        refusal = turn._("Only {left} of {quantity} × {name} can still come back; nothing was changed.")
        toast = refusal.format(left=line.left, quantity=line.quantity, name=line.name)
        return await show_card(desk, turn, order, toast=toast, alert=True)
    if action.restock < 0:
        counts = [
            turn.button(f"{'• ' if n == quantity else ''}{n}", ReturnLine(order.number, action.line, n))
            for n in range(1, min(line.left, 6) + 1)
        ]
        make = lambda restock: ReturnLine(order.number, action.line, quantity, restock)  # noqa: E731
        footer = turn._("{quantity} × {name} came back ({amount}). Put them back on sale?").format(
            quantity=quantity, name=line.name, amount=line.unit_price * quantity
        )
        rows = (tuple(counts), *_restock_rows(turn, make), *back_row(turn, order))
        return await show_card(desk, turn, order, footer=footer, buttons=rows)
    order.record_return(action.line, quantity)
    if action.restock:
        await _restock(turn, order, [(line, quantity)])
    amount = Money(
        min(line.unit_price.amount_minor * quantity, order.total.amount_minor - order.refunded_minor),
        order.currency,
    )
    before = order.refunded
    order.record_refunded(order.refunded_minor + amount.amount_minor, Actor.staff(turn.user_id))
    whole = order.all_returned and order.refunded == order.total  # every unit back, every cent refunded
    if whole:
        await change_status(turn.uow, order, S.REFUNDED, Actor.staff(turn.user_id), turn.now)
    await turn.uow.orders.save(order)
    purpose = f"return-{order.refunded_minor}"  # each part-return its own refund, equal ones too
    notice = RefundNotice.LAST if whole else RefundNotice.PART
    return await _pay_back(desk, turn, order, order.refunded - before, purpose, notice)


async def _restock(turn: Turn, order: Order, lines: list[tuple[OrderLine, int]]) -> None:
    for line, quantity in lines:
        level = await turn.uow.stocks.get(line.sku)
        if level is None:
            continue
        level.restock(quantity)
        change = f"return {order.number} +{quantity}"
        await turn.uow.stocks.save(level, StockAudit(line.sku, Actor.staff(turn.user_id), turn.now, change))


async def refund(desk: MerchantDesk, turn: Turn, action: RefundOrder) -> Outcome:
    """Refunded now; the provider's refund of what is left runs after commit (no call in a transaction)."""
    order = await locked(desk, turn, action.number)
    if order is None or not order.can(S.REFUNDED):
        return await press(desk, turn, action.number, S.REFUNDED)
    _ = turn._
    owed = refund_of_rest(order, await turn.uow.refunds.for_order(order.number))
    if owed is not None:
        return await show_card(desk, turn, order, toast=_owed_already(turn, owed), alert=True)
    left = order.total - order.refunded
    if not action.confirmed:
        yes = _("💸 Yes, refund {amount}").format(amount=left)
        footer = _("Refund {amount} to the customer?").format(amount=left)
        rows = ((turn.button(yes, RefundOrder(order.number, True)),), *back_row(turn, order))
        return await show_card(desk, turn, order, footer=footer, buttons=rows)
    await change_status(turn.uow, order, S.REFUNDED, Actor.staff(turn.user_id), turn.now)
    order.record_refunded(order.total.amount_minor, Actor.staff(turn.user_id))
    await turn.uow.orders.save(order)
    return await _pay_back(desk, turn, order, left, "", RefundNotice.WHOLE)


def _owed_already(turn: Turn, refund: PendingRefund) -> str:
    """Why 💸 Refund asks for nothing: the refund of what is left is recorded already."""
    amount = turn.money(refund.amount)
    if refund.state is RefundState.FAILED:
        text = turn._("The payment provider would not refund {amount}: refund it by hand, then press ✅.")
    elif refund.state is RefundState.BY_HAND:
        text = turn._("{amount} went back to the customer by hand already.")
    else:
        text = turn._("A refund of {amount} is with the payment provider already.")
    return text.format(amount=amount)


async def _pay_back(
    desk: MerchantDesk, turn: Turn, order: Order, amount: Money, purpose: str, notice: RefundNotice
) -> Outcome:
    """Through the provider: owed in this transaction, asked for after commit, retried by the job until it
    answers (the customer is told once it is issued). Otherwise staff hand the money back now."""
    _ = turn._
    by_provider = order.payment_method is not PaymentMethod.CASH and bool(order.provider_charge_id)
    if by_provider and desk.gateway is not None:
        refund = await owe_refund(turn.uow, order, amount, now=turn.now, purpose=purpose, notice=notice)
        issue_after_commit(turn, desk.gateway, order, refund)
        return await show_card(desk, turn, order, toast=_("💸 Refund sent to the payment provider."))
    notices = PaymentNotices(desk.chat_id)
    if notice is RefundNotice.WHOLE:
        await notices.refunded(turn.uow, order, amount, turn.now)
    elif notice is RefundNotice.LAST:
        await notices.refunded_after_returns(turn.uow, order, amount, turn.now)
    else:
        await notices.partly_refunded(turn.uow, order, amount, turn.now)
    toast = _("Hand the money back to the customer: {amount}.").format(amount=amount)
    return await show_card(desk, turn, order, toast=toast, alert=True)


async def refunded_by_hand(desk: MerchantDesk, turn: Turn, action: RefundedByHand) -> Outcome:
    """Staff confirm a refund the provider would not make went back by hand (a second press: nothing)."""
    order = await locked(desk, turn, action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    refund = await turn.uow.refunds.get(action.refund)
    if refund is None or refund.order_number != order.number or refund.state is not RefundState.FAILED:
        return await show_card(desk, turn, order, toast=turn._("That refund is settled already."))
    refund.state = RefundState.BY_HAND
    await turn.uow.refunds.save(refund)
    await tell_issued(turn.uow, order, refund, desk.chat_id, turn.now)
    if refund_of_rest(order, [refund]) is not None and order.can(S.REFUNDED):  # all that was left of it
        order.record_refunded(order.total.amount_minor, Actor.staff(turn.user_id))
        await change_status(turn.uow, order, S.REFUNDED, Actor.staff(turn.user_id), turn.now)
        await turn.uow.orders.save(order)
        await PaymentNotices(desk.chat_id).refunded(turn.uow, order, refund.amount, turn.now)
    toast = turn._("✅ Recorded: {amount} went back to the customer by hand.").format(amount=refund.amount)
    return await show_card(desk, turn, order, toast=toast)
