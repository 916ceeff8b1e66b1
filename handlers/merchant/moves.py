"""The core of every staff move on an order: lock it, check the state machine, apply, show the card.

Every move re-reads the order under lock (`get_for_update`) and checks the state machine there, so a
stale button or a second staff member pressing at the same time changes nothing and is told who acted.
"""

from __future__ import annotations

from typing import Any

from domain.actor import Actor
from domain.order import Order
from domain.order_status import OrderStatus
from domain.services import change_status
from handlers.kernel.incoming import Kind
from handlers.kernel.reply import Button, Outcome, Reply
from handlers.kernel.status_text import status_label
from handlers.kernel.turn import AfterCommit, Finish, Turn
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.notices import REASONS, enqueue_card_edit, notify_customer
from handlers.merchant.order_card import card_view_for, staff_names, when
from handlers.payments.refunds import issue_after_commit, refund_or_alert

__all__ = ["show_card", "sync_card", "on_card", "locked", "move", "press", "Moved"]

S = OrderStatus
Moved = tuple[Order | None, Outcome | None]


def on_card(desk: MerchantDesk, order: Order, chat_id: int | None, message_id: int | None) -> bool:
    return chat_id == desk.chat_id and message_id == order.merchant_message_id


async def sync_card(desk: MerchantDesk, turn: Turn, order: Order) -> None:
    """Edit the card in the merchant chat (through the outbox) when staff acted from another message."""
    language, manual = turn.language, desk.manual_delivery
    await enqueue_card_edit(
        turn.uow, order, chat_id=desk.chat_id, now=turn.now, language=language, manual_delivery=manual
    )


async def show_card(
    desk: MerchantDesk,
    turn: Turn,
    order: Order,
    *,
    toast: str | None = None,
    alert: bool = False,
    footer: str = "",
    buttons: tuple[tuple[Button, ...], ...] | None = None,
) -> Outcome:
    """The card, replacing the pressed message; the merchant-chat card is edited too when it is elsewhere."""
    view = await card_view_for(turn.uow, order, turn.language, manual_delivery=desk.manual_delivery)
    text = f"{view.text}\n\n{footer}" if footer else view.text
    reply = Reply(text, view.buttons if buttons is None else buttons, edit=turn.event.kind is Kind.BUTTON)
    if not on_card(desk, order, turn.event.chat_id, turn.event.message_id):
        await sync_card(desk, turn, order)
    return Outcome([reply], answer=toast, alert=alert)


async def locked(desk: MerchantDesk, turn: Turn, number: str) -> Order | None:
    """The order under lock; a press on a card whose message id was never reported records it now."""
    order = await turn.uow.orders.get_for_update(number)
    event = turn.event
    if (
        order is not None
        and order.merchant_message_id is None
        and event.kind is Kind.BUTTON
        and event.chat_id == desk.chat_id
        and event.message_id is not None
    ):
        order.merchant_message_id = event.message_id
        await turn.uow.orders.save(order)
    return order


async def _stale(desk: MerchantDesk, turn: Turn, order: Order, target: OrderStatus) -> Outcome:
    """Nothing changes; say who moved the order instead and redraw the card with the buttons legal now."""
    _ = turn._
    names = await staff_names(turn.uow, order)
    done = next((step for step in reversed(order.timeline) if step.new is target), None)
    if target is S.ACCEPTED and done is not None:
        who = names.get(str(done.actor), f"#{done.actor.ref}")
        text = _("Already accepted by {who} at {at}.").format(who=who, at=when(done.at))
    else:
        status = status_label(order.status, turn.language)
        text = _("Order {number} is {status} now; nothing changed.").format(
            number=order.number, status=status
        )
    return await show_card(desk, turn, order, toast=text, alert=True)


async def move(
    desk: MerchantDesk,
    turn: Turn,
    number: str,
    target: OrderStatus,
    *,
    reason: str = "",
    shipment: tuple[str, str] | None = None,
) -> Moved:
    """Apply one staff transition with its stock, refund and notice effects; (order, refusal)."""
    order = await locked(desk, turn, number)
    if order is None:
        return None, turn.toast(turn._("Order {number} was not found.").format(number=number), alert=True)
    if not order.can(target):
        return order, await _stale(desk, turn, order, target)
    actor = Actor.staff(turn.user_id)
    note = REASONS.get(reason, reason)
    events = await change_status(turn.uow, order, target, actor, turn.now, note, shipment=shipment)
    turn.events.extend(events)
    if target in (S.REJECTED, S.CANCELLED) and order.is_paid:
        refund = await refund_or_alert(
            turn.uow, desk.gateway, order, merchant_chat_id=desk.chat_id, now=turn.now, language=turn.language
        )
        if refund is not None and desk.gateway is not None:
            issue_after_commit(turn, desk.gateway, order, refund)  # Stripe is called once this commits
    if target is S.SHIPPED:
        turn.after_commit(_register(desk, order))  # the carrier too, never with the transaction open
    await notify_customer(turn.uow, order, turn.now, reason=reason)
    return order, None


def _register(desk: MerchantDesk, order: Order) -> AfterCommit:
    async def register() -> Finish:
        await desk.register_tracking(order)  # best effort: the tracking job registers what is missed
        return _nothing

    return register


async def _nothing(turn: Turn) -> Outcome:
    return Outcome()


async def press(desk: MerchantDesk, turn: Turn, number: str, target: OrderStatus, **how: Any) -> Outcome:
    """A one-step button: move, then show the card with the new status as the toast."""
    order, refusal = await move(desk, turn, number, target, **how)
    if refusal is not None or order is None:
        return refusal or Outcome()
    return await show_card(desk, turn, order, toast=status_label(order.status, turn.language))
