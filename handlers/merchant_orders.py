"""Staff moving an order from its card: accept, reject, pack, ship, cancel, manual delivery states.

Every press re-reads the order under lock (`get_for_update`) and checks the state machine there, so a
stale button or a second staff member pressing at the same time changes nothing and is told who acted.
Ship and a typed reject reason are two-step: the press stores a prompt in `uow.dialogs`
(`merchant.ship` / `merchant.reject`), the next text message (or `/ship <number> <carrier> <tracking>`)
completes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.actor import Actor
from domain.customer import clean_text
from domain.errors import InvalidInput
from domain.order import Order, validate_tracking_number
from domain.order_status import OrderStatus
from domain.services import change_status
from handlers.incoming import Kind
from handlers.merchant_actions import (
    REJECT_REASONS,
    AcceptOrder,
    CancelByShop,
    MarkDelivery,
    PackOrder,
    RejectOrder,
    ShipOrder,
    StopAsking,
)
from handlers.merchant_notices import REASONS, enqueue_card_edit, notify_customer
from handlers.order_card import card_view, staff_names, when
from handlers.reply import Button, Outcome, Reply
from handlers.status_text import status_label
from handlers.turn import Turn

if TYPE_CHECKING:
    from handlers.merchant_desk import MerchantDesk

__all__ = [
    "SHIP_PROMPT",
    "REJECT_PROMPT",
    "accept",
    "reject",
    "pack_order",
    "ask_shipment",
    "cancel",
    "mark_delivery",
    "stop_asking",
    "on_prompt_text",
    "ship_command",
    "show_card",
]

S = OrderStatus
SHIP_PROMPT = "merchant.ship"
REJECT_PROMPT = "merchant.reject"
_MAX_REASON = 200


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
    names = await staff_names(turn.uow, order)
    view = card_view(order, turn.language, names, manual_delivery=desk.manual_delivery)
    text = f"{view.text}\n\n{footer}" if footer else view.text
    reply = Reply(text, view.buttons if buttons is None else buttons, edit=turn.event.kind is Kind.BUTTON)
    if not _on_card(desk, turn, order):
        await enqueue_card_edit(
            turn.uow,
            order,
            chat_id=desk.chat_id,
            now=turn.now,
            language=turn.language,
            manual_delivery=desk.manual_delivery,
        )
    return Outcome([reply], answer=toast, alert=alert)


def _on_card(desk: MerchantDesk, turn: Turn, order: Order) -> bool:
    event = turn.event
    return event.chat_id == desk.chat_id and event.message_id == order.merchant_message_id


async def _locked(desk: MerchantDesk, turn: Turn, number: str) -> Order | None:
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


async def _move(
    desk: MerchantDesk,
    turn: Turn,
    number: str,
    target: OrderStatus,
    *,
    reason: str = "",
    shipment: tuple[str, str] | None = None,
) -> tuple[Order | None, Outcome | None]:
    """Apply one staff transition with its stock, refund and notice effects; (order, refusal)."""
    order = await _locked(desk, turn, number)
    if order is None:
        return None, turn.toast(turn._("Order {number} was not found.").format(number=number), alert=True)
    if not order.can(target):
        return order, await _stale(desk, turn, order, target)
    actor = Actor.staff(turn.user_id)
    note = reason if reason not in REASONS else REASONS[reason]
    events = await change_status(turn.uow, order, target, actor, turn.now, note, shipment=shipment)
    turn.events.extend(events)
    if target in (S.REJECTED, S.CANCELLED) and order.is_paid:
        await desk.start_refund(turn.uow, order, actor=actor, now=turn.now)
    if target is S.SHIPPED:
        await desk.register_tracking(order)
    await notify_customer(turn.uow, order, turn.now, reason=reason)
    return order, None


async def _press(desk: MerchantDesk, turn: Turn, number: str, target: OrderStatus, **how: Any) -> Outcome:
    order, refusal = await _move(desk, turn, number, target, **how)
    if refusal is not None or order is None:
        return refusal or Outcome()
    return await show_card(desk, turn, order, toast=status_label(order.status, turn.language))


async def accept(desk: MerchantDesk, turn: Turn, action: AcceptOrder) -> Outcome:
    return await _press(desk, turn, action.number, S.ACCEPTED)


async def pack_order(desk: MerchantDesk, turn: Turn, action: PackOrder) -> Outcome:
    return await _press(desk, turn, action.number, S.PACKED)


async def mark_delivery(desk: MerchantDesk, turn: Turn, action: MarkDelivery) -> Outcome:
    return await _press(desk, turn, action.number, OrderStatus(action.state))


async def reject(desk: MerchantDesk, turn: Turn, action: RejectOrder) -> Outcome:
    if action.reason and action.reason != "other":
        return await _press(desk, turn, action.number, S.REJECTED, reason=action.reason)
    order = await _locked(desk, turn, action.number)
    if order is None or not order.can(S.REJECTED):
        return await _press(desk, turn, action.number, S.REJECTED)  # refuses with the current state
    _ = turn._
    if action.reason == "other":
        await _prompt(turn, REJECT_PROMPT, order)
        footer = _("✍ Type the reason for the customer in one message.")
        return await show_card(desk, turn, order, footer=footer, buttons=_back(turn, order))
    labels = [turn._(REASONS[code]) for code in REJECT_REASONS[:-1]] + [_("Other (type it)")]
    rows = tuple(
        (turn.button(label, RejectOrder(order.number, code)),)
        for code, label in zip(REJECT_REASONS, labels, strict=True)
    )
    return await show_card(
        desk, turn, order, footer=_("Why reject this order?"), buttons=rows + _back(turn, order)
    )


async def cancel(desk: MerchantDesk, turn: Turn, action: CancelByShop) -> Outcome:
    if action.confirmed:
        return await _press(desk, turn, action.number, S.CANCELLED, reason="shop")
    order = await _locked(desk, turn, action.number)
    if order is None or not order.can(S.CANCELLED):
        return await _press(desk, turn, action.number, S.CANCELLED)
    _ = turn._
    rows = ((turn.button(_("✖ Yes, cancel it"), CancelByShop(order.number, True)),), *_back(turn, order))
    footer = _("Cancel this order? Its stock goes back on sale and a paid order is refunded.")
    return await show_card(desk, turn, order, footer=footer, buttons=rows)


async def ask_shipment(desk: MerchantDesk, turn: Turn, action: ShipOrder) -> Outcome:
    order = await _locked(desk, turn, action.number)
    if order is None or not order.can(S.SHIPPED):
        return await _press(desk, turn, action.number, S.SHIPPED)
    await _prompt(turn, SHIP_PROMPT, order)
    footer = turn._(
        "✍ Send the carrier and tracking number in one message, e.g. “DHL JD014600003828”, "
        "or /ship {number} <carrier> <tracking number>."
    ).format(number=order.number)
    return await show_card(desk, turn, order, footer=footer, buttons=_back(turn, order))


async def stop_asking(desk: MerchantDesk, turn: Turn, action: StopAsking) -> Outcome:
    if turn.dialog and turn.dialog[0].startswith("merchant."):
        await turn.uow.dialogs.clear(turn.user_id)
    order = await turn.uow.orders.get(action.number)
    if order is None:
        return turn.toast(turn._("Order {number} was not found.").format(number=action.number), alert=True)
    return await show_card(desk, turn, order)


def _back(turn: Turn, order: Order) -> tuple[tuple[Button, ...], ...]:
    return ((turn.button(turn._("⬅ Back"), StopAsking(order.number)),),)


async def _prompt(turn: Turn, state: str, order: Order) -> None:
    data = {"number": order.number, "chat_id": turn.event.chat_id, "message_id": turn.event.message_id}
    await turn.uow.dialogs.set(turn.user_id, state, data)


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
    return await _ship(desk, turn, {"number": number.upper()}, rest)


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
    if turn.dialog and turn.dialog[0].startswith("merchant."):
        await turn.uow.dialogs.clear(turn.user_id)
    order, refusal = await _move(desk, turn, str(data.get("number", "")), target, **how)
    if refusal is not None or order is None:
        return Outcome([Reply(refusal.answer or "")]) if refusal else Outcome()
    view = card_view(
        order, turn.language, await staff_names(turn.uow, order), manual_delivery=desk.manual_delivery
    )
    replies = []
    if data.get("message_id") is not None:
        replies.append(
            Reply(view.text, view.buttons, chat_id=data["chat_id"], edit_message_id=data["message_id"])
        )
    if data.get("message_id") != order.merchant_message_id or data.get("chat_id") != desk.chat_id:
        await enqueue_card_edit(
            turn.uow,
            order,
            chat_id=desk.chat_id,
            now=turn.now,
            language=turn.language,
            manual_delivery=desk.manual_delivery,
        )
    done = turn._("Order {number}: {status}.").format(
        number=order.number, status=status_label(order.status, turn.language)
    )
    replies.append(Reply(done))
    return Outcome(replies)
