"""The checkout review (totals, an edit button per answer, payment buttons) and placing the order."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Protocol

from domain.cart import Cart
from domain.catalog.products import Product
from domain.customer import Address
from domain.money import Money
from domain.order import MAX_DELIVERY_NOTE, Order
from domain.order_status import PaymentMethod
from domain.ports import UnitOfWork
from domain.services import place_order
from handlers.actions.contact import WriteDeliveryNote
from handlers.actions.customer import FormEdit, Menu, PlaceOrder, ShowCart, ShowOrder
from handlers.customer.cart import priced_lines, subtotal
from handlers.customer.checkout.compensation import or_undone
from handlers.customer.checkout.promo import promo_line
from handlers.customer.checkout.steps import Data, Step, address_of, nav_row
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.status_text import discount_text, method_label
from handlers.kernel.turn import AfterCommit, Rows, Turn

__all__ = ["PaymentStarter", "show", "place", "ask_note", "take_note"]


class PaymentStarter(Protocol):
    """Starts paying a just-placed order, in its unit of work: the replies to send after the confirmation.

    Prepaid (Telegram invoice): the replies carry the way to pay. Cash on delivery: hands the order to the
    shop (its merchant card) and usually adds nothing to the conversation's confirmation. A way to pay that
    must call another service (the Stripe link) returns an `AfterCommit` step instead: it runs once the
    order is committed, outside any transaction, and the order is undone if it fails
    (`handlers.customer.checkout.compensation`).
    """

    async def __call__(
        self, uow: UnitOfWork, order: Order, *, language: str, now: datetime
    ) -> list[Reply] | AfterCommit: ...


def option_needs_address(turn: Turn, data: Data) -> bool:
    option = turn.config.delivery(data.get("delivery", ""))
    return option is None or option.needs_address


def _address(data: Data) -> Address | None:
    address = address_of(data)
    if address is None:
        return None
    return dataclasses.replace(address, recipient=data["name"], phone=data["phone"])


def _was(turn: Turn, cart: Cart, product: Product) -> str:
    """A note on a line whose price changed since the customer added it: the new price applies."""
    old = cart.price_change(product.sku, product.price.amount_minor)
    if old is None:
        return ""
    was = turn.money(Money(old, product.price.currency))
    note = turn._("price changed: now {new} each, was {old}").format(new=turn.money(product.price), old=was)
    return f" ({note})"


async def _summary(turn: Turn, data: Data) -> tuple[list[str], Money | None]:
    """The review text and the total, or (message, None) when the cart emptied meanwhile."""
    _ = turn._
    cart = await turn.uow.carts.get(turn.user_id)
    lines, _gone = await priced_lines(turn, cart)
    option = turn.config.delivery(data["delivery"])
    if not lines or option is None:
        return [_("Your cart is empty. Add something first.")], None
    discount_text, discount = await promo_line(turn, data, lines)
    total = subtotal(turn, lines) + option.fee - Money(discount, option.fee.currency)
    address = _address(data)
    text = [_("Please check your order:")]
    text += [
        f"• {p.display_name(turn.language)} × {qty} = {turn.money(p.price * qty)}{_was(turn, cart, p)}"
        for p, qty in lines
    ]
    text += [_("Subtotal: {amount}").format(amount=turn.money(subtotal(turn, lines)))]
    text += [discount_text] if discount_text else []
    text += [
        _("Delivery: {label} {fee}").format(
            label=option.label_for(turn.language), fee=turn.money(option.fee)
        ),
        _("Total: {amount}").format(amount=turn.money(total)),
        "",
        _("Recipient: {name}, {phone}").format(name=data["name"], phone=data["phone"]),
        _("Address: {address}").format(address=address.one_line()) if address else _("No address needed."),
    ]
    if data.get("note"):
        text.append(_("Delivery note: {note}").format(note=data["note"]))
    return text, total


async def ask_note(turn: Turn, _action: object = None) -> Outcome:
    """ "📝 Delivery note" on the review: the next text typed is the note."""
    if turn.dialog is None or turn.dialog[0] != Step.REVIEW:
        return turn.toast(turn._("This button is out of date."))
    data = dict(turn.dialog[1])
    data["noting"] = True
    ask = turn._("Type your note for the delivery (up to {max} characters), e.g. “leave at the door”.")
    return Outcome(replies=await show(turn, data, ask.format(max=MAX_DELIVERY_NOTE)))


def take_note(turn: Turn, data: Data, text: str) -> str | None:
    """Text typed at the review after "📝 Delivery note" is the note; else the buttons are the way on."""
    if not data.pop("noting", False):
        return turn._("Please use the buttons below.")
    note = " ".join(text.split())
    if len(note) > MAX_DELIVERY_NOTE:
        data["noting"] = True  # still asking
        return turn._("A delivery note is at most {max} characters; that one has {n}.").format(
            max=MAX_DELIVERY_NOTE, n=len(note)
        )
    data["note"] = note
    return None


async def show(turn: Turn, data: Data, note: str = "") -> list[Reply]:
    _ = turn._
    text, total = await _summary(turn, data)
    if total is None:
        return [turn.reply(text[0], [[turn.button(_("🛒 Cart"), ShowCart()), turn.button("⬅", Menu())]])]
    data["quote"] = total.amount_minor
    await turn.uow.dialogs.set(turn.user_id, Step.REVIEW, data)
    edits = [(Step.NAME, _("✏ Name")), (Step.PHONE, _("✏ Phone")), (Step.DELIVERY, _("✏ Delivery"))]
    if address_of(data):
        edits.append((Step.ADDRESS, _("✏ Address")))
    rows: Rows = [[turn.button(label, FormEdit(step)) for step, label in edits]]
    rows.append([turn.button(_("📝 Delivery note"), WriteDeliveryNote())])
    code = data.get("promo")
    promo_label = _("✖ Remove code {code}").format(code=code) if code else _("🏷 Have a code?")
    rows.append([turn.button(promo_label, FormEdit(Step.PROMO))])
    text.append(_("Choose how to pay:"))
    for method in turn.config.payment_methods:
        pickup = not option_needs_address(turn, data)
        label = _("Pay: {method}").format(method=method_label(method, turn.language, pickup=pickup))
        rows.append([turn.button(label, PlaceOrder(method.value))])
    rows.append(nav_row(turn, Step.REVIEW))
    return [turn.reply("\n".join([note, *text] if note else text), rows)]


async def place(turn: Turn, action: PlaceOrder) -> Outcome:
    _ = turn._
    method = PaymentMethod(action.method)
    starter = turn.payments.get(method)
    if turn.dialog is None or turn.dialog[0] != Step.REVIEW:
        return turn.toast(_("This button is out of date."))
    if method not in turn.config.payment_methods or (method.prepaid and starter is None):
        return turn.toast(_("This payment method is not available right now."), alert=True)
    data = dict(turn.dialog[1])
    _text, total = await _summary(turn, data)
    if total is None or total.amount_minor != data.get("quote"):
        note = _("Your cart or prices changed since you looked. Please check the new total.")
        return Outcome(replies=await show(turn, data, note))
    option = turn.config.delivery(data["delivery"])
    assert option is not None  # _summary checked it
    address = _address(data)
    order, events = await place_order(
        turn.uow,
        customer_id=turn.user_id,
        delivery=option.choice(),
        payment_method=method,
        address=address,
        now=turn.now,
        reservation=timedelta(minutes=turn.config.reservation_minutes),
        customer_name=data["name"],
        customer_phone=data["phone"],
        delivery_note=str(data.get("note", "")),
        promo_code=data.get("promo", ""),
    )
    turn.events.extend(events)
    turn.customer.phone = data["phone"]
    turn.customer.recipient, turn.customer.last_delivery = data["name"], option.code
    if address:
        turn.customer.remember_address(address)
    await turn.uow.customers.update(turn.customer, "phone", "addresses", "recipient", "last_delivery")
    await turn.uow.dialogs.clear(turn.user_id)
    started = await starter(turn.uow, order, language=turn.language, now=turn.now) if starter else []
    if callable(started):
        turn.after_commit(or_undone(started, order, data))
        return Outcome()
    replies = started
    if not method.prepaid:
        replies.insert(0, await _confirmation(turn, order))
    return Outcome(replies=replies)


async def _confirmation(turn: Turn, order: Order) -> Reply:
    _ = turn._
    text = [_("✅ Order {number} is placed!").format(number=order.number)]
    text += [
        f"• {line.display_name(turn.language)} × {line.quantity} = {turn.money(line.total)}"
        for line in order.lines
    ]
    text += [discount_text(order, _, turn.language)] if order.discount_minor else []
    label = order.delivery.label_for(turn.language)
    amount = turn.money(order.total)
    text += [
        _("Delivery: {label} {fee}").format(label=label, fee=turn.money(order.shipping_fee)),
        _("Total: {amount}").format(amount=amount),
    ]
    if order.is_pickup:
        text += [
            _("Payment: in cash when you collect it — please have {amount} ready.").format(amount=amount),
            "",
            _("What happens next: the shop confirms your order and tells you when it is ready to collect."),
        ]
    else:
        text += [
            _("Payment: cash on delivery — please have {amount} ready.").format(amount=amount),
            "",
            _("What happens next: the shop confirms your order, then packs and ships it."),
        ]
    text.append(_("I will message you at every step; /orders shows the status any time."))
    rows = [[turn.button(_("📦 View order"), ShowOrder(order.number)), turn.button(_("⬅ Menu"), Menu())]]
    return turn.reply("\n".join(text), rows)
