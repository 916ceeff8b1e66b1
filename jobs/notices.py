"""Outbox messages the jobs send: what the customer or the merchant reads, keyed so each goes once.

Every text comes from the gettext catalogs (handlers.kernel.i18n): customer texts in the customer's language,
merchant-chat texts in the merchant chat's (`MERCHANT_LANGUAGE`, as the order cards). Every message
carries a dedupe key: enqueueing the same fact twice (a job run twice, two workers) stores it once.
"""

from __future__ import annotations

from datetime import datetime

from domain.analytics import Figures
from domain.catalog.stock import StockLevel
from domain.order import Order
from domain.outbox import OutboxMessage
from domain.tracking.statuses import TrackingOutcome
from handlers.actions.contact import ContactShop
from handlers.actions.customer import CartReminders, ShowCart, pack
from handlers.actions.merchant import FixTracking
from handlers.kernel import outbox
from handlers.kernel.i18n import MERCHANT_LANGUAGE, N_, translations
from handlers.kernel.money_text import money_text
from handlers.kernel.reply import Button, Reply
from handlers.kernel.stock_alert import low_stock_reply
from handlers.merchant.order_card import next_steps
from handlers.merchant.stats.text import day_text, figures_text

__all__ = [
    "tracking_notice",
    "tracking_problem_alert",
    "rejected_number_alert",
    "low_stock_alert",
    "unanswered_order_reminder",
    "daily_report",
    "cart_reminder",
]

_TRACKING = {  # TrackingOutcome.notice → what the customer reads
    "in_transit": N_("Your order {number} is on its way."),
    "out_for_delivery": N_("Your order {number} is out for delivery today."),
    "ready_for_pickup": N_("Your order {number} is ready for pickup."),
    "delivered": N_("Your order {number} was delivered. Enjoy!"),
    "problem": N_(
        "There is a problem delivering your order {number}: {note}. We are on it and will keep you posted."
    ),
}
# The problem notes of domain/tracking, which the domain keeps in English; marked here for the catalogs.
_PROBLEM_NOTES = (
    N_("delivery failed"),
    N_("carrier reported a problem"),
    N_("tracking expired without delivery"),
)


def _note(outcome: TrackingOutcome, language: str) -> str:
    return translations(language).gettext(outcome.note) if outcome.note else ""  # gettext("") is the header


def _message(chat_id: int, reply: Reply, now: datetime, key: str) -> OutboxMessage:
    return outbox.message(chat_id, reply, now, dedupe_key=key)


def tracking_notice(order: Order, outcome: TrackingOutcome, language: str, now: datetime) -> OutboxMessage:
    _ = translations(language).gettext
    text = _(_TRACKING[outcome.notice]).format(number=order.number, note=_note(outcome, language))
    key = f"order:{order.number}:track:{len(order.timeline)}:{outcome.notice}"
    buttons: tuple[tuple[Button, ...], ...] = ()
    if outcome.notice == "problem":  # a delivery problem: the customer can write to the shop about it
        buttons = ((Button(_("💬 Contact the shop"), pack(ContactShop(order.number))),),)
    return _message(order.customer_id, Reply(text, buttons), now, key)


def tracking_problem_alert(
    order: Order, outcome: TrackingOutcome, detail: str, chat_id: int, now: datetime
) -> OutboxMessage:
    _ = translations(MERCHANT_LANGUAGE).gettext
    text = _("⚠️ Delivery problem on order {number} ({carrier} {tracking}): {note}.").format(
        number=order.number,
        carrier=order.carrier,
        tracking=order.tracking_number,
        note=_note(outcome, MERCHANT_LANGUAGE),
    )
    reply = Reply(f"{text} {detail}".strip(), next_steps(order, MERCHANT_LANGUAGE))  # what staff can do
    return _message(chat_id, reply, now, f"order:{order.number}:problem:{len(order.timeline)}")


def rejected_number_alert(
    order_number: str, tracking_number: str, reason: str, chat_id: int, now: datetime
) -> OutboxMessage:
    _ = translations(MERCHANT_LANGUAGE).gettext
    text = _(
        "⚠️ The tracking service refused tracking number {tracking} of order {number}: {reason}. "
        "Check the number, or set the delivery status by hand."
    ).format(tracking=tracking_number, number=order_number, reason=reason or _("no reason given"))
    fix = Button(_("✏ Fix tracking"), pack(FixTracking(order_number)))
    return _message(chat_id, Reply(text, ((fix,),)), now, f"shipment:{tracking_number}:rejected")


def low_stock_alert(level: StockLevel, name: str, chat_id: int, now: datetime) -> OutboxMessage:
    key = f"stock-low:{level.sku}:{level.available}:{level.safety}:{now:%Y-%m-%d}"
    return _message(chat_id, low_stock_reply(level, name, MERCHANT_LANGUAGE), now, key)


def unanswered_order_reminder(
    order: Order, waiting_minutes: int, chat_id: int, now: datetime
) -> OutboxMessage:
    _ = translations(MERCHANT_LANGUAGE).gettext
    text = _(
        "⏰ Order {number} ({total}) has waited {minutes} min for acceptance. "
        "Accept or reject it so the customer knows."
    ).format(number=order.number, total=money_text(order.total, MERCHANT_LANGUAGE), minutes=waiting_minutes)
    return _message(chat_id, Reply(text), now, f"order:{order.number}:unanswered")


def daily_report(figures: Figures, chat_id: int, now: datetime) -> OutboxMessage:
    """One local day's figures (`figures.window`), in the lines of /stats under their own title."""
    day = figures.window.days[0]
    title = (
        translations(MERCHANT_LANGUAGE)
        .gettext("Yesterday, {day}")
        .format(day=day_text(day, MERCHANT_LANGUAGE, year=True))
    )
    text = figures_text(figures, MERCHANT_LANGUAGE, title=title)
    return _message(chat_id, Reply(text), now, f"report:{day.isoformat()}")


def cart_reminder(
    customer_id: int, language: str, count: int, updated_at: datetime, now: datetime
) -> OutboxMessage:
    catalog = translations(language)
    text = catalog.ngettext(
        "You left {count} item in your cart. It is still waiting for you.",
        "You left {count} items in your cart. They are still waiting for you.",
        count,
    )
    buttons = (
        (Button(catalog.gettext("🛒 Open my cart"), pack(ShowCart())),),
        (Button(catalog.gettext("🔕 Stop cart reminders"), pack(CartReminders(0))),),
    )
    reply = Reply(text.format(count=count), buttons=buttons)
    return _message(customer_id, reply, now, f"cart:{customer_id}:{updated_at.isoformat()}")
