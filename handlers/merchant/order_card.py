"""The order card staff see in the merchant chat: details, who did what, and only the buttons legal now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from domain.actor import ActorKind
from domain.order import Order, Transition
from domain.order_status import OrderStatus
from domain.payments.refunds import PendingRefund, RefundState, refund_key
from domain.ports import UnitOfWork
from handlers.actions.aftercare import (
    ContactCustomer,
    MarkCashPaid,
    RefundedByHand,
    RefundOrder,
    ReturnOrder,
    ShipAgain,
)
from handlers.actions.contact import OrderThread
from handlers.actions.customer import pack
from handlers.actions.merchant import (
    AcceptOrder,
    CancelByShop,
    FixTracking,
    MarkDelivery,
    OpenOrder,
    PackOrder,
    RejectOrder,
    ShipOrder,
)
from handlers.kernel.i18n import N_, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.reply import Button
from handlers.kernel.status_text import discount_text, method_label, status_label

__all__ = ["CardView", "render_card", "card_buttons", "staff_names", "timeline_lines", "when"]

S = OrderStatus
Rows = tuple[tuple[Button, ...], ...]

# What the card says about a step a person took, e.g. "✅ Accepted by Ann · 2026-01-01 12:05 UTC".
_STEP = {
    S.ACCEPTED: N_("✅ Accepted by {who} · {at}"),
    S.PACKED: N_("📦 Packed by {who} · {at}"),
    S.SHIPPED: N_("🚚 Shipped by {who} · {at}"),
    S.REJECTED: N_("⛔ Rejected by {who} · {at}"),
    S.CANCELLED: N_("✖ Cancelled by {who} · {at}"),
    S.IN_TRANSIT: N_("🚚 In transit · {at}"),
    S.OUT_FOR_DELIVERY: N_("🛵 Out for delivery · {at}"),
    S.DELIVERED: N_("🏠 Delivered · {at}"),
    S.DELIVERY_EXCEPTION: N_("⚠ Delivery problem · {at}"),
    S.REFUNDED: N_("↩ Refunded · {at}"),
}
_PICKUP_STEP = {  # an order collected at the shop is made ready and handed over, not shipped
    S.PACKED: N_("📦 Ready to collect, by {who} · {at}"),
    S.DELIVERED: N_("🤝 Collected · {at}"),
}
_DELIVERY_BUTTONS = {
    S.IN_TRANSIT: N_("🚚 In transit"),
    S.OUT_FOR_DELIVERY: N_("🛵 Out for delivery"),
    S.DELIVERED: N_("🏠 Delivered"),
    S.DELIVERY_EXCEPTION: N_("⚠ Problem"),
}


@dataclass(frozen=True, slots=True)
class CardView:
    text: str
    buttons: Rows


def when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


async def staff_names(uow: UnitOfWork, order: Order) -> dict[str, str]:
    """Display names of the people in the order's timeline, keyed by `str(actor)`."""
    names: dict[str, str] = {}
    for step in order.timeline:
        key = str(step.actor)
        if key in names or step.actor.kind not in (ActorKind.STAFF, ActorKind.CUSTOMER):
            continue
        person = await uow.customers.get(int(step.actor.ref)) if step.actor.ref.isdigit() else None
        names[key] = (person.display_name if person else "") or f"#{step.actor.ref}"
    return names


def _who(step: Transition, names: dict[str, str], language: str) -> str:
    if step.actor.kind is ActorKind.SYSTEM:
        return translations(language).gettext("the system")
    if step.actor.kind is ActorKind.CARRIER:
        return step.actor.ref
    return names.get(str(step.actor), f"#{step.actor.ref}")


def timeline_lines(order: Order, language: str, names: dict[str, str]) -> list[str]:
    """Every transition: "2026-01-01 12:05 UTC · Paid · Ann · note"."""
    lines = []
    for step in order.timeline:
        parts = [when(step.at), status_label(step.new, language), _who(step, names, language)]
        if step.note:
            parts.append(step.note)
        lines.append(" · ".join(parts))
    return lines


def _steps(order: Order, language: str, names: dict[str, str]) -> list[str]:
    gettext = translations(language).gettext
    steps = {**_STEP, **_PICKUP_STEP} if order.is_pickup else _STEP
    return [
        gettext(steps[step.new]).format(who=_who(step, names, language), at=when(step.at))
        + (f" — {step.note}" if step.note and step.new in (S.REJECTED, S.CANCELLED) else "")
        for step in order.timeline
        if step.new in _STEP
    ]


def render_card(order: Order, language: str, names: dict[str, str], *, full_timeline: bool = False) -> str:
    _ = translations(language).gettext
    lines = [
        _("🧾 Order {number} — {status}").format(
            number=order.number, status=status_label(order.status, language, pickup=order.is_pickup)
        )
    ]
    money = partial(money_text, language=language)
    lines += [f"{line.quantity} × {line.name} ({line.sku}) — {money(line.total)}" for line in order.lines]
    lines += [
        _("Subtotal: {amount}").format(amount=money(order.subtotal)),
        *([discount_text(order, _, language)] if order.discount_minor else []),
        _("Delivery: {option} — {fee}").format(option=order.delivery.label, fee=money(order.shipping_fee)),
        _("Total: {amount}").format(amount=money(order.total)),
        _("Payment: {method}").format(
            method=method_label(order.payment_method, language, pickup=order.is_pickup)
        )
        + (_(" · paid") if order.is_paid else _(" · not paid yet")),
        _("Customer: {name}, {phone}").format(
            name=order.customer_name or "—", phone=order.customer_phone or "—"
        ),
    ]
    if order.address is not None:
        lines.append(_("Address: {address}").format(address=order.address.one_line()))
    if order.delivery_note:
        lines.append(_("📝 Delivery note: {note}").format(note=order.delivery_note))
    if order.refunded_minor and order.status is not S.REFUNDED:
        lines.append(
            _("↩ Refunded so far: {amount} of {total}").format(amount=order.refunded, total=order.total)
        )
    if order.tracking_number:
        lines.append(
            _("Tracking: {carrier} {number}").format(carrier=order.carrier, number=order.tracking_number)
        )
    if full_timeline:
        lines += ["", _("Timeline:"), *timeline_lines(order, language, names)]
    else:
        lines += _steps(order, language, names)
    return "\n".join(lines)


def card_buttons(
    order: Order,
    language: str,
    *,
    manual_delivery: bool,
    with_timeline: bool = True,
    messages: int = 0,
    refund_owed: bool = False,
) -> Rows:
    """Only what the state machine allows now; delivery states only without a tracking provider.
    `messages`: how many the customer and the shop exchanged about the order (its thread's button);
    `refund_owed`: the refund 💸 Refund would ask for is recorded already (see `refund_of_rest`)."""
    _ = translations(language).gettext
    ngettext = translations(language).ngettext
    allowed = order.allowed()
    number = order.number
    main: list[Button] = []
    if S.ACCEPTED in allowed:
        main.append(Button(_("✅ Accept"), pack(AcceptOrder(number))))
    if S.REJECTED in allowed:
        main.append(Button(_("⛔ Reject"), pack(RejectOrder(number))))
    if S.PACKED in allowed:
        label = _("📦 Ready to collect") if order.is_pickup else _("📦 Packed")
        main.append(Button(label, pack(PackOrder(number))))
    if order.is_pickup and order.status is S.PACKED:  # handed over at the shop, not shipped
        main.append(Button(_("🤝 Collected"), pack(MarkDelivery(number, str(S.DELIVERED)))))
    elif S.SHIPPED in allowed:
        main.append(Button(_("🚚 Ship"), pack(ShipOrder(number))))
    delivery = [
        Button(_(label), pack(MarkDelivery(number, str(state))))
        for state, label in _DELIVERY_BUTTONS.items()
        if manual_delivery and state in allowed and not order.is_pickup
    ]
    extra: list[Button] = _aftercare(order, _, refund_owed=refund_owed)
    if S.CANCELLED in allowed and S.REJECTED not in allowed:
        extra.append(Button(_("✖ Cancel order"), pack(CancelByShop(number))))
    if with_timeline:
        extra.append(Button(_("🕓 Timeline"), pack(OpenOrder(number))))
    talk = ngettext("💬 {n} message", "💬 {n} messages", messages).format(n=messages)
    rows = (main, delivery[:2], delivery[2:], extra[:2], extra[2:], [Button(talk, pack(OrderThread(number)))])
    return tuple(tuple(row) for row in rows if row)


_TRAVELLING = (S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY)
_CASH_DUE = (*_TRAVELLING, S.DELIVERY_EXCEPTION, S.DELIVERED, S.COMPLETED)


def _aftercare(order: Order, _: Callable[[str], str], *, refund_owed: bool = False) -> list[Button]:
    """Next steps once the parcel left: fix its number, a delivery problem, returns, refunds, cash."""
    number, status, allowed = order.number, order.status, order.allowed()
    buttons: list[Button] = []
    if status in _TRAVELLING:
        buttons.append(Button(_("✏ Fix tracking"), pack(FixTracking(number))))
    if status is S.DELIVERY_EXCEPTION:
        buttons.append(Button(_("✉ Contact customer"), pack(ContactCustomer(number))))
        buttons.append(Button(_("🚚 Ship again"), pack(ShipAgain(number))))
    if S.RETURNED in allowed:
        buttons.append(Button(_("↩ Mark returned"), pack(ReturnOrder(number))))
    if S.REFUNDED in allowed and status not in (S.PAID, *_TRAVELLING) and not refund_owed:  # paid: Reject
        buttons.append(Button(_("💸 Refund"), pack(RefundOrder(number))))
    if not order.payment_method.prepaid and not order.is_paid and status in _CASH_DUE:
        buttons.append(Button(_("💵 Cash received"), pack(MarkCashPaid(number))))
    return buttons


def next_steps(order: Order, language: str) -> Rows:
    """The after-shipping buttons alone, for alerts about the order (a delivery problem)."""
    buttons = _aftercare(order, translations(language).gettext)
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def refund_of_rest(order: Order, refunds: Sequence[PendingRefund]) -> PendingRefund | None:
    """The refund that 💸 Refund would owe now (what is left of the payment, by its provider), when it
    is recorded already: owed when the paid order was rejected or cancelled, or pressed before. Asking
    again would ask the provider for nothing: it is on its way, or left to staff, or went back by hand."""
    if not order.provider_charge_id:
        return None
    key = refund_key(order.number, order.provider_charge_id, order.total - order.refunded)
    return next((refund for refund in refunds if refund.key == key), None)


def _on_its_way(rest: PendingRefund | None, language: str) -> list[str]:
    """What the card says of the refund of what is left while the provider has not confirmed it."""
    if rest is None or rest.state not in (RefundState.PENDING, RefundState.ISSUED):
        return []
    _ = translations(language).gettext
    line = _("⏳ Refund {amount} asked of the payment provider; not confirmed yet.")
    return [line.format(amount=money_text(rest.amount, language))]


def _stuck_lines(stuck: Sequence[PendingRefund], language: str) -> list[str]:
    """A refund the provider would not make (refused, or kept failing): what the card says about it."""
    _ = translations(language).gettext
    line = _("⚠ Refund {amount} not made: {why}. Refund it in the provider's dashboard, then ✅.")
    return [
        line.format(
            amount=money_text(refund.amount, language),
            why=_("refused: “{reason}”").format(reason=refund.refusal)
            if refund.refusal
            else _("the payment provider kept failing"),
        )
        for refund in stuck
    ]


def _stuck_buttons(number: str, stuck: Sequence[PendingRefund], language: str) -> Rows:
    """✅ per refund the provider would not make: staff confirm the money went back by hand."""
    label = translations(language).gettext("✅ Refunded by hand ({amount})")
    return tuple(
        (Button(label.format(amount=money_text(r.amount, language)), pack(RefundedByHand(number, r.id))),)
        for r in stuck
        if r.id is not None
    )


def card_view(
    order: Order,
    language: str,
    names: dict[str, str],
    *,
    manual_delivery: bool,
    messages: int = 0,
    refunds: Sequence[PendingRefund] = (),
    full_timeline: bool = False,
) -> CardView:
    """The card; `refunds`: the order's (one on its way is said, each the provider would not make comes
    with its ✅ first); `full_timeline`: every step, with no 🕓 Timeline button."""
    rest = refund_of_rest(order, refunds)
    stuck = [refund for refund in refunds if refund.state is RefundState.FAILED]
    render = render_card(order, language, names, full_timeline=full_timeline)
    text = "\n".join([render, *_on_its_way(rest, language), *_stuck_lines(stuck, language)])
    buttons = card_buttons(
        order,
        language,
        manual_delivery=manual_delivery,
        with_timeline=not full_timeline,
        messages=messages,
        refund_owed=rest is not None,
    )
    return CardView(text, (*_stuck_buttons(order.number, stuck, language), *buttons))


async def card_view_for(
    uow: UnitOfWork, order: Order, language: str, *, manual_delivery: bool, full_timeline: bool = False
) -> CardView:
    """The card as it stands: who did what, how many messages, refunds on their way or left to staff."""
    names = await staff_names(uow, order)
    messages = await uow.shop_messages.count_for_order(order.number)
    refunds = await uow.refunds.for_order(order.number)
    return card_view(
        order,
        language,
        names,
        manual_delivery=manual_delivery,
        messages=messages,
        refunds=refunds,
        full_timeline=full_timeline,
    )


__all__ += [
    "card_view",
    "card_view_for",
    "next_steps",
    "refund_of_rest",
]
