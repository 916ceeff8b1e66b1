"""Paying for a placed order: the ways to pay offered, the card link, cash on delivery.

Framework-free. The checkout conversation calls `confirm_cash_order` (or
`handlers.payments.telegram.telegram_invoice_reply`) in the unit of work that placed the order, and
`card_checkout` once that unit of work is committed: the Stripe call must not hold the database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.order import Order
from domain.order_status import PaymentMethod
from domain.ports import CheckoutLink, PaymentGateway, UnitOfWork
from handlers.kernel.i18n import translations
from handlers.kernel.money_text import money_text
from handlers.kernel.reply import Button, Outcome, Reply
from handlers.kernel.turn import AfterCommit, Finish, Turn
from handlers.payments.notices import PaymentNotices
from handlers.payments.settlement import start_attempt

__all__ = [
    "PaymentSetup",
    "card_checkout",
    "card_link_reply",
    "confirm_cash_order",
    "held_text",
]


@dataclass(frozen=True, slots=True)
class PaymentSetup:
    """Which ways to pay the shop offers, from settings: Stripe key, provider token, cash flag."""

    card: bool
    telegram: bool
    cash_on_delivery: bool

    def methods(self) -> list[PaymentMethod]:
        offered = {
            PaymentMethod.STRIPE: self.card,
            PaymentMethod.TELEGRAM: self.telegram,
            PaymentMethod.CASH: self.cash_on_delivery,
        }
        return [method for method, on in offered.items() if on]


def _minutes_left(order: Order, now: datetime) -> int:
    return max(int((order.reserved_until - now).total_seconds() // 60), 1)


def held_text(order: Order, now: datetime, language: str) -> str:
    minutes = _minutes_left(order, now)
    text = translations(language).ngettext(
        "Order {number}: {amount}. Your items are held for {minutes} minute.",
        "Order {number}: {amount}. Your items are held for {minutes} minutes.",
        minutes,
    )
    return text.format(number=order.number, amount=money_text(order.total, language), minutes=minutes)


def card_checkout(
    gateway: PaymentGateway, order: Order, now: datetime, *, language: str = "en"
) -> AfterCommit:
    """The card way to pay a placed order, as a step to run once the order is committed (`Turn.after_commit`).

    The Stripe Checkout session is made outside any transaction (its idempotency key comes from the order
    number, so a retry gets the same session); the `Finish` it returns records the attempt and gives the Pay
    button in a short unit of work of its own. Raises `PaymentUnavailable` when Stripe cannot make the link.
    """

    async def create_link() -> Finish:
        link = await gateway.create_checkout(order, expires_at=order.reserved_until, language=language)

        async def record(turn: Turn) -> Outcome:
            return Outcome([await card_link_reply(turn.uow, order, link, now, language=language)])

        return record

    return create_link


async def card_link_reply(
    uow: UnitOfWork, order: Order, link: CheckoutLink, now: datetime, *, language: str = "en"
) -> Reply:
    """Record the attempt for a Stripe Checkout link and the reply with its Pay button."""
    _ = translations(language).gettext
    await start_attempt(uow, order, PaymentMethod.STRIPE, link.session_id, now)
    text = [
        held_text(order, now, language),
        _("Pay by card on the secure Stripe page."),
        _(
            "What happens next: once the payment goes through I send you a receipt, "
            "and the shop tells you when your order is ready to collect."
        )
        if order.is_pickup
        else _(
            "What happens next: once the payment goes through I send you a receipt, "
            "and the shop packs and ships your order."
        ),
    ]
    pay = Button(_("💳 Pay {amount}").format(amount=money_text(order.total, language)), url=link.url)
    return Reply("\n".join(text), buttons=((pay,),))


async def confirm_cash_order(uow: UnitOfWork, notices: PaymentNotices, order: Order, now: datetime) -> None:
    """Cash on delivery: the order goes to the merchant unpaid; it counts as paid once delivered."""
    await notices.cash_order(uow, order, now)
