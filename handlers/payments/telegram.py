"""Telegram Payments: the invoice for a placed order, the pre-checkout answer, the successful payment."""

from __future__ import annotations

from datetime import datetime

import structlog

from domain.actor import Actor
from domain.clock import Clock
from domain.order import Order
from domain.order_status import OrderStatus, PaymentMethod
from domain.payments.currency import TELEGRAM_AMOUNTS
from domain.ports import PaymentGateway, UnitOfWork, UnitOfWorkFactory
from handlers.kernel.i18n import customer_language, language_for, translations
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.kernel.reply import Invoice, Outcome, Reply
from handlers.kernel.status_text import status_label
from handlers.payments.methods import held_text
from handlers.payments.notices import PaymentNotices
from handlers.payments.refunds import send_back
from handlers.payments.settlement import ReceivedPayment, settle_payment, start_attempt

__all__ = ["TelegramPayments", "invoice_payload", "telegram_invoice_reply"]

log = structlog.get_logger(__name__)
TELEGRAM = Actor.system("telegram")
_PAYLOAD_PREFIX = "order:"


def invoice_payload(order: Order) -> str:
    return f"{_PAYLOAD_PREFIX}{order.number}"


async def telegram_invoice_reply(
    uow: UnitOfWork, order: Order, now: datetime, *, language: str = "en"
) -> Reply:
    """A Telegram invoice for a placed order (prices as Telegram reads them: the `exp` of its currency
    list) and the recorded attempt. ValueError for a currency Telegram does not take (the wiring does not
    offer Telegram payments then)."""
    _ = translations(language).gettext
    amount = TELEGRAM_AMOUNTS.to_minor
    prices = [
        (f"{line.display_name(language)} × {line.quantity}", amount(line.total)) for line in order.lines
    ]
    if order.discount_minor:  # a negative price: Telegram shows it as a line and charges the sum
        prices.append((_("Discount {code}").format(code=order.promo_code), -amount(order.discount)))
    if order.shipping_fee.amount_minor:
        prices.append((order.delivery.label_for(language), amount(order.shipping_fee)))
    payload = invoice_payload(order)
    await start_attempt(uow, order, PaymentMethod.TELEGRAM, payload, now)
    invoice = Invoice(
        title=_("Order {number}").format(number=order.number),
        description=_invoice_description(order, language),
        payload=payload,
        currency=order.currency,
        prices=tuple((label[:32], amount) for label, amount in prices),
    )
    text = [
        held_text(order, now, language),
        _("Pay with the invoice below; I send you a receipt once it goes through."),
    ]
    return Reply("\n".join(text), invoice=invoice)


def _invoice_description(order: Order, language: str) -> str:
    """What was bought, in the customer's language, within Telegram's 255 characters: the goods by name
    when they fit, else how many items."""
    catalog = translations(language)
    count = order.item_count
    items = catalog.ngettext("{n} item", "{n} items", count).format(n=count)
    delivery = order.delivery.label_for(language)
    goods = ", ".join(f"{line.display_name(language)} × {line.quantity}" for line in order.lines)
    named = catalog.gettext("{items}: {goods}; {delivery}").format(
        items=items, goods=goods, delivery=delivery
    )
    if len(named) <= 255:
        return named
    return catalog.gettext("{items}, {delivery}").format(items=items, delivery=delivery)[:255]


def _refusal(order: Order | None, payment: Payment, user_id: int, language: str) -> str | None:
    _ = translations(language).gettext
    if order is None or order.customer_id != user_id:
        return _("This invoice is no longer valid. Please check out again.")
    if TELEGRAM_AMOUNTS.received(payment.total_amount, payment.currency, order.total) != order.total:
        return _("The order total has changed. Please check out again.")
    if order.is_paid:
        return _("Order {number} is already paid; you have not been charged again.").format(
            number=order.number
        )
    if order.status not in (OrderStatus.PLACED, OrderStatus.PAYMENT_EXPIRED):
        status = status_label(order.status, language).lower()  # mid-sentence; a no-op in Chinese
        return _("Order {number} is {status} and can no longer be paid.").format(
            number=order.number, status=status
        )
    return None


class TelegramPayments:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: PaymentGateway,
        notices: PaymentNotices,
        clock: Clock,
    ) -> None:
        self._uow_factory = uow_factory
        self._gateway = gateway
        self._notices = notices
        self._clock = clock

    async def __call__(self, event: Incoming) -> Outcome:
        if event.kind is Kind.PRECHECKOUT:
            return await self.precheckout(event)
        if event.kind is Kind.PAYMENT:
            return await self.successful_payment(event)
        return Outcome()

    async def precheckout(self, event: Incoming) -> Outcome:
        """Answer within Telegram's 10 s: a read-only check that the order can still take the money."""
        payment = event.payment
        async with self._uow_factory(write=False) as uow:
            language = await customer_language(uow, event.user_id, language_for(event.language_code))
            if payment is None or not payment.payload.startswith(_PAYLOAD_PREFIX):
                error = translations(language).gettext("This invoice is not from this shop.")
                return Outcome(precheckout_ok=False, precheckout_error=error)
            order = await uow.orders.get(payment.payload.removeprefix(_PAYLOAD_PREFIX))
            reason = _refusal(order, payment, event.user_id, language)
            if reason is None and order is not None and order.status is OrderStatus.PAYMENT_EXPIRED:
                reason = await self._sold_out(uow, order, language)
        if reason is not None:
            return Outcome(precheckout_ok=False, precheckout_error=reason)
        return Outcome(precheckout_ok=True)

    async def _sold_out(self, uow: UnitOfWork, order: Order, language: str) -> str | None:
        """The hold lapsed: the payment may go ahead only if every line could be held again."""
        _ = translations(language).gettext
        for line in order.lines:
            level = await uow.stocks.get(line.sku)
            if level is None or level.available < line.quantity:
                return _(
                    "Sorry, {name} sold out while the order waited for payment. You were not charged."
                ).format(name=line.display_name(language))
        return None

    async def successful_payment(self, event: Incoming) -> Outcome:
        """Mark the order paid once per Telegram charge; money it cannot take goes back."""
        payment = event.payment
        if payment is None or not payment.telegram_charge_id:
            return Outcome()
        number = payment.payload.removeprefix(_PAYLOAD_PREFIX)
        received = ReceivedPayment(
            method=PaymentMethod.TELEGRAM,
            amount=TELEGRAM_AMOUNTS.to_money(payment.total_amount, payment.currency),
            attempt_ref=payment.payload,
            payment_ref=payment.telegram_charge_id,
            charge_ref=payment.provider_charge_id,
        )
        return await self._settle(event, number, received)

    async def _language(self, event: Incoming) -> str:
        async with self._uow_factory(write=False) as uow:
            return await customer_language(uow, event.user_id, language_for(event.language_code))

    async def _settle(self, event: Incoming, number: str, received: ReceivedPayment) -> Outcome:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            if not await uow.webhook_events.first_time("telegram", received.payment_ref, now):
                return Outcome()
            order = await uow.orders.get_for_update(number)
            settled = None
            if order is not None:
                settled = await settle_payment(uow, self._notices, order, received, actor=TELEGRAM, now=now)
            else:
                log.error("telegram_payment_unknown_order", charge=received.payment_ref)
            await uow.commit()
        if settled is not None and settled.refund is not None:  # money sent back: committed as owed
            await send_back(self._uow_factory, self._gateway, self._clock, settled.refund, self._notices)
        if order is not None:
            return Outcome()  # the receipt is in the outbox, in the customer's language
        _ = translations(await self._language(event)).gettext
        return Outcome([Reply(_("We received your payment; the shop will contact you about it."))])
