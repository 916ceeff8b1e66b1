"""Wiring of the payment pieces from settings: the one place `run` asks for them.

payments = build_payments(
    settings, uow_factory, clock, order_card=desk.order_card, refresh_cards=desk.refresh_cards
)
runner = await start_http_server(
    http_app(health=database_ok, stripe_webhook=payments.stripe_webhook), settings.http_host,
    settings.http_port,
)
scheduler: jobs.expire_reservations.run(context) every expiry_poll_seconds (its own notices and card redraws)
config = ShopConfig(..., payment_methods=payments.methods, merchant_chat_id=settings.merchant_chat_id)
app = ShopApp(uow_factory, clock, config, payments=payments.starters(), payment_events=payments.telegram)
    checkout then starts paying by the customer's choice: a Telegram invoice or the merchant card of a cash
    order in the unit of work that placed the order, the card link once it is committed; ShopApp hands
    Kind.PRECHECKOUT and Kind.PAYMENT events to payments.telegram. The runtime sends a Reply.invoice with
    settings.telegram_payment_provider_token.
every refund (merchant cancel / reject, customer cancel, 💸 Refund and part-returns on the card, a late
    payment sent back): recorded as owed in the deciding transaction (handlers.payments.refunds), Stripe
    asked after the commit with the row's idempotency key, the retry_refunds job (payments.gateway)
    retries it
shutdown: await runner.cleanup(); await payments.aclose()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from bot.observability.metered import MeteredGateway, MeteredStripeEvents
from bot.observability.metrics import Metrics
from bot.providers.stripe_webhook import StripeEventHandler, StripeWebhook
from bot.settings import Settings
from domain.clock import Clock
from domain.money import Money
from domain.order import Order
from domain.order_status import PaymentMethod
from domain.payments.currency import TELEGRAM_AMOUNTS
from domain.ports import CheckoutLink, PaymentGateway, UnitOfWork, UnitOfWorkFactory
from handlers.customer.checkout.review import PaymentStarter
from handlers.kernel.reply import Reply
from handlers.kernel.turn import AfterCommit
from handlers.payments.methods import PaymentSetup, card_checkout, confirm_cash_order
from handlers.payments.notices import PaymentNotices, RefreshCards, plain_order_card
from handlers.payments.stripe_events import StripeEvents
from handlers.payments.telegram import TelegramPayments, telegram_invoice_reply

__all__ = ["PaymentServices", "build_payments", "NoGateway"]

log = structlog.get_logger(__name__)


class NoGateway:
    """Without a Stripe key: no card links, and refunds are left to the merchant (who is alerted)."""

    async def create_checkout(
        self, order: Order, *, expires_at: datetime, language: str = "en"
    ) -> CheckoutLink:
        raise RuntimeError("card payments are not configured (SHOPBOT_STRIPE_SECRET_KEY)")

    async def refund(self, order: Order, amount: Money, *, key: str = "") -> str:
        raise RuntimeError("automatic refunds need SHOPBOT_STRIPE_SECRET_KEY")


@dataclass(frozen=True, slots=True)
class PaymentServices:
    setup: PaymentSetup
    gateway: PaymentGateway
    notices: PaymentNotices
    telegram: TelegramPayments
    stripe_webhook: StripeWebhook | None  # None: no webhook secret, the route is not served
    stripe_events: StripeEventHandler | None = None  # what the webhook hands verified events to

    @property
    def methods(self) -> tuple[PaymentMethod, ...]:
        """The ways to pay the shop offers, for ShopConfig.payment_methods."""
        return tuple(self.setup.methods())

    def starters(self) -> dict[PaymentMethod, PaymentStarter]:
        """For ShopApp(payments=...): what checkout does right after placing an order, per offered method."""
        gateway, notices = self.gateway, self.notices

        async def card(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> AfterCommit:
            return card_checkout(gateway, order, now, language=language)  # Stripe is called after the commit

        async def invoice(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> list[Reply]:
            return [await telegram_invoice_reply(uow, order, now, language=language)]

        async def cash(uow: UnitOfWork, order: Order, *, language: str, now: datetime) -> list[Reply]:
            await confirm_cash_order(uow, notices, order, now)
            return []  # the conversation's own confirmation says everything

        every: dict[PaymentMethod, PaymentStarter] = {
            PaymentMethod.STRIPE: card,
            PaymentMethod.TELEGRAM: invoice,
            PaymentMethod.CASH: cash,
        }
        return {method: every[method] for method in self.methods}

    async def aclose(self) -> None:
        close = getattr(self.gateway, "aclose", None)  # the Stripe gateway's HTTP client
        if close is not None:
            await close()


def build_payments(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    order_card: Callable[[Order], Reply] = plain_order_card,
    refresh_cards: RefreshCards | None = None,
    gateway: PaymentGateway | None = None,
    metrics: Metrics | None = None,
) -> PaymentServices:
    """`gateway` replaces the Stripe gateway the settings would make (the demo's sandbox): card payments
    are then offered, and its completed checkouts go to `stripe_events` as the webhook's would.
    `metrics` counts card payment attempts (links handed out) and successes (checkouts paid).
    `order_card` and `refresh_cards` are the merchant desk's: its card, and its redraw of the cards a
    payment event changed (a refund Stripe confirmed or the shop gave up on)."""
    notices = PaymentNotices(settings.merchant_chat_id, order_card, refresh_cards)
    stripe = None
    if gateway is None and settings.stripe_secret_key is not None:
        secret_key = settings.stripe_secret_key.get_secret_value()
        from bot.providers.stripe_gateway import StripeGateway  # the SDK is loaded only when configured

        stripe = StripeGateway.connect(secret_key, settings.stripe_api_url, settings.public_url, clock)
    chosen: PaymentGateway = gateway or stripe or NoGateway()
    events: StripeEventHandler = StripeEvents(uow_factory, chosen, notices, clock)
    if metrics is not None:
        chosen = MeteredGateway(chosen, metrics)
        events = MeteredStripeEvents(events, metrics)
    webhook = None
    if settings.stripe_webhook_secret is not None:
        webhook = StripeWebhook(events, settings.stripe_webhook_secret.get_secret_value(), clock)
    telegram_payments = settings.telegram_payment_provider_token is not None
    if telegram_payments and not TELEGRAM_AMOUNTS.supports(settings.currency):
        log.warning("telegram_payments_off", currency=settings.currency, reason="not a Telegram currency")
        telegram_payments = False
    setup = PaymentSetup(
        card=gateway is not None or (stripe is not None and webhook is not None),
        telegram=telegram_payments,
        cash_on_delivery=settings.cash_on_delivery,
    )
    telegram = TelegramPayments(uow_factory, chosen, notices, clock)
    return PaymentServices(setup, chosen, notices, telegram, webhook, events)
