"""My orders: the recent list, one order's detail with timeline and tracking, cancel, buy again."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from domain.actor import Actor
from domain.order import Order
from domain.order_status import OrderStatus
from domain.services import change_status, order_for_customer
from handlers.actions.contact import ContactShop
from handlers.actions.customer import BuyAgain, CancelOrder, Menu, MyOrders, PayNow, ShowCart, ShowOrder
from handlers.customer.cart import show_cart
from handlers.customer.catalog import on_sale
from handlers.customer.unpaid import can_pay_now
from handlers.kernel.reply import Outcome
from handlers.kernel.status_text import discount_text, status_label, tracking_url
from handlers.kernel.turn import Rows, Turn
from handlers.payments.refunds import issue_after_commit, refund_or_alert

__all__ = ["COMMANDS", "ROUTES", "tracking_lines"]


def tracking_lines(turn: Turn, order: Order) -> list[str]:
    if not order.tracking_number:
        return []
    text = turn._("Carrier: {carrier}, tracking number {number}").format(
        carrier=order.carrier or "—", number=order.tracking_number
    )
    return [text, tracking_url(order, turn.language) or ""]


async def list_orders(turn: Turn, _action: object = None) -> Outcome:
    orders = await turn.uow.orders.list_for_customer(turn.user_id, limit=10)
    back = [turn.button(turn._("⬅ Menu"), Menu())]
    if not orders:
        return turn.say(turn._("You have no orders yet."), [back])
    rows: Rows = []
    for order in orders:
        status = status_label(order.status, turn.language, pickup=order.is_pickup)
        label = f"{order.number} · {status} · {turn.money(order.total)}"
        rows.append([turn.button(label, ShowOrder(order.number))])
    rows.append(back)
    return turn.say(turn._("Your recent orders:"), rows)


async def show_order(turn: Turn, action: ShowOrder, *, note: str = "") -> Outcome:
    _ = turn._
    order = await order_for_customer(turn.uow, action.number, turn.user_id)
    local = turn.language
    status = status_label(order.status, local, pickup=order.is_pickup)
    text = [note] if note else []
    text.append(_("Order {number} · {status}").format(number=order.number, status=status))
    text += [
        f"• {line.display_name(local)} × {line.quantity} = {turn.money(line.total)}" for line in order.lines
    ]
    text += [discount_text(order, _, local)] if order.discount_minor else []
    fee = turn.money(order.shipping_fee)
    text.append(_("Delivery: {label} {fee}").format(label=order.delivery.label_for(local), fee=fee))
    text.append(_("Total: {amount}").format(amount=turn.money(order.total)))
    text += tracking_lines(turn, order)
    text.append(_("History:"))
    zone = ZoneInfo(turn.config.timezone)
    text += [
        f"{step.at.astimezone(zone):%Y-%m-%d %H:%M} · {status_label(step.new, local, pickup=order.is_pickup)}"
        for step in order.timeline
    ]
    rows: Rows = []
    if can_pay_now(turn, order):
        rows.append([turn.button(_("💳 Pay now"), PayNow(order.number))])
    if order.can(OrderStatus.CANCELLED):
        rows.append([turn.button(_("✖ Cancel order"), CancelOrder(order.number, False))])
    rows.append([turn.button(_("🔁 Buy again"), BuyAgain(order.number))])
    rows.append([turn.button(_("💬 Contact the shop"), ContactShop(order.number))])
    rows.append([turn.button(_("⬅ My orders"), MyOrders())])
    return turn.say("\n".join(text), rows)


async def cancel_order(turn: Turn, action: CancelOrder) -> Outcome:
    _ = turn._
    order = await order_for_customer(turn.uow, action.number, turn.user_id)
    if not order.can(OrderStatus.CANCELLED):
        note = _("This order can no longer be cancelled.")
        return await show_order(turn, ShowOrder(order.number), note=note)
    if not action.confirmed:
        rows = [
            [turn.button(_("Yes, cancel it"), CancelOrder(order.number, True))],
            [turn.button(_("No, keep it"), ShowOrder(order.number))],
        ]
        return turn.say(_("Cancel order {number}?").format(number=order.number), rows)
    locked = await turn.uow.orders.get_for_update(order.number)
    assert locked is not None
    turn.events += await change_status(
        turn.uow, locked, OrderStatus.CANCELLED, Actor.customer(turn.user_id), turn.now, "by customer"
    )
    return await show_order(turn, ShowOrder(order.number), note=await _money_back(turn, locked))


async def _money_back(turn: Turn, order: Order) -> str:
    """Refund a paid order just cancelled (staff are asked to do it by hand when the gateway cannot);
    what the customer is told."""
    _ = turn._
    if not order.is_paid:
        return _("Your order is cancelled.")
    chat = turn.config.merchant_chat_id
    amount = turn.money(order.total)
    refund = await refund_or_alert(turn.uow, turn.gateway, order, merchant_chat_id=chat, now=turn.now)
    if refund is not None and turn.gateway is not None:
        issue_after_commit(turn, turn.gateway, order, refund)  # Stripe is called once this commits
        text = _(
            "Your order is cancelled. Your refund of {amount} is on its way; "
            "we will tell you when it is issued."
        )
    else:
        text = _("Your order is cancelled. The shop will refund your payment of {amount}.")
    return text.format(amount=amount)


async def buy_again(turn: Turn, action: BuyAgain) -> Outcome:
    _ = turn._
    order = await order_for_customer(turn.uow, action.number, turn.user_id)
    cart = await turn.uow.carts.get(turn.user_id)
    skipped: list[str] = []
    for line in order.lines:
        product, available = await on_sale(turn, line.sku)
        qty = min(line.quantity, available - cart.quantity(line.sku), 99 - cart.quantity(line.sku))
        if product is None or qty <= 0:
            skipped.append(line.display_name(turn.language))
            continue
        if qty < line.quantity:
            skipped.append(_("{name} (only {n})").format(name=line.display_name(turn.language), n=qty))
        cart.add(line.sku, qty)
    await turn.uow.carts.save(cart, now=turn.now)
    note = _("Not available now: {names}").format(names=", ".join(skipped)) if skipped else ""
    return await show_cart(turn, ShowCart(), note=note)


COMMANDS = {"orders": list_orders}

ROUTES = {
    MyOrders: list_orders,
    ShowOrder: show_order,
    CancelOrder: cancel_order,
    BuyAgain: buy_again,
}
