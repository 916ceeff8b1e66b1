"""The one entry of handlers/: one event in, one unit of work, one Outcome out.

Who answers, in this order: payment events (pre-checkout, successful payment) → stats (/stats, /export
and their buttons) → merchant (`handlers.merchant.router`: staff commands, order-card buttons, prompts) →
customer (the `COMMANDS` and `ROUTES` tables below, gathered from handlers/customer/).

A turn that must call another service (a Stripe checkout link) asks for it with `Turn.after_commit`: the
call then runs once the unit of work is committed, with no transaction open, and what it brings back is
recorded in a short unit of work of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog

from domain.clock import Clock
from domain.customer import Customer
from domain.errors import DomainError
from domain.order_status import PaymentMethod
from domain.ports import AlreadyHandled, PaymentGateway, UnitOfWork, UnitOfWorkFactory
from handlers.actions.customer import Action, StaleAction, unpack
from handlers.contact import customer as contact
from handlers.customer import addresses, cart, catalog, orders, start, tracking, unpaid
from handlers.customer.checkout import form as checkout
from handlers.customer.checkout.review import PaymentStarter
from handlers.kernel.config import ShopConfig
from handlers.kernel.error_replies import explain
from handlers.kernel.i18n import customer_language, language_for, translations
from handlers.kernel.incoming import ATTEMPT, EventHandler, Incoming, Kind
from handlers.kernel.notifications import enqueue
from handlers.kernel.outbox import queue_replies
from handlers.kernel.reply import Outcome, Reply
from handlers.kernel.turn import AfterCommit, Turn
from handlers.merchant import router as merchant_router
from handlers.merchant.desk import MerchantDesk
from handlers.merchant.stats.handler import MerchantStats

__all__ = ["ShopApp"]

log = structlog.get_logger(__name__)
InDialog = tuple[Customer | None, tuple[str, dict[str, Any]] | None]  # a customer and their open dialog

Handler = Callable[[Turn], Awaitable[Outcome]]
ActionHandler = Callable[[Turn, Any], Awaitable[Outcome]]
_MODULES = (start, catalog, cart, checkout, orders, tracking, addresses, unpaid, contact)
COMMANDS: dict[str, Handler] = {name: fn for m in _MODULES for name, fn in m.COMMANDS.items()}
ROUTES: dict[type[Action], ActionHandler] = {kind: fn for m in _MODULES for kind, fn in m.ROUTES.items()}


class ShopApp:
    """Customer-facing `EventHandler`: `outcome = await app(incoming)`."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        config: ShopConfig,
        *,
        payments: Mapping[PaymentMethod, PaymentStarter] | None = None,
        payment_events: EventHandler | None = None,
        merchant: MerchantDesk | None = None,
        stats: MerchantStats | None = None,
        gateway: PaymentGateway | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._config = config
        self._payments = dict(payments or {})
        self._payment_events = payment_events  # pre-checkout queries and successful payments
        self._merchant = merchant  # staff commands, order-card buttons and their prompts
        self._stats = stats  # /stats and /export: read-only figures, staff checked by the handler itself
        self._gateway = gateway  # refunds of paid orders customers cancel; None: staff refund by hand

    async def __call__(self, event: Incoming) -> Outcome:
        if event.kind in (Kind.PRECHECKOUT, Kind.PAYMENT):  # a pre-checkout query has no chat: answer it
            if self._payment_events is not None:
                return await self._payment_events(event)
            error = translations(language_for(event.language_code)).gettext("Payments are not available.")
            return Outcome(precheckout_ok=False, precheckout_error=error)
        if self._stats is not None and self._stats.handles(event):
            ended = Outcome()
            if self._merchant is not None and self._merchant.is_staff(event.user_id):
                ended, _later = await self._unit(event, self._end_prompt, first=False)
            async with self._uow_factory(write=False) as uow:  # staff read figures in their chosen language
                language = await customer_language(uow, event.user_id, language_for(event.language_code))
            return await self._durable(event, _followed_by(ended, await self._stats(event, language)))
        if not event.private and not (
            self._merchant and merchant_router.answers_in_group(self._merchant, event)
        ):
            return Outcome()  # carts, addresses and orders are never shown in a group
        outcome, pending = await self._unit(event, self._route, first=True)
        while pending:  # the unit of work is committed: no transaction is open while these call out
            finish = await pending.pop(0)()
            more, later = await self._unit(event, finish, first=False)
            outcome, pending = _followed_by(outcome, more), pending + later
        return outcome

    async def _durable(self, event: Incoming, outcome: Outcome) -> Outcome:
        """A read-only answer's replies (figures, the chart, a CSV) written to the outbox, as every turn's
        are, so a 429 or a crash before they are sent loses none; a redelivered update sends nothing."""
        async with self._uow_factory() as uow:
            now = self._clock.now()
            if event.update_id is not None and not await uow.updates.first_time(event.update_id, now):
                log.info("update_redelivered", update_id=event.update_id)
                return Outcome()
            outcome = await queue_replies(uow, event, outcome, now)
            await uow.commit()
        return outcome

    async def _unit(
        self, event: Incoming, handle: Handler, *, first: bool
    ) -> tuple[Outcome, list[AfterCommit]]:
        """`handle` in one unit of work, committed with its outbox messages, or nothing kept and explained.

        Returns the outcome and the turn's `after_commit` steps, to run once the commit is done.
        """
        async with self._uow_factory() as uow:
            read = None
            if first and event.update_id is not None:
                now = self._clock.now()
                opened = await uow.updates.first_time_in_dialog(event.update_id, now, event.user_id)
                if not opened[0]:
                    log.info("update_redelivered", update_id=event.update_id)
                    return Outcome(), []
                read = opened[1:]
            turn = await self._turn(uow, event, read)
            failure: Exception
            try:
                outcome = await handle(turn)
                if self._merchant is not None:
                    await self._merchant.refresh_cards(uow, turn.events, turn.now)
                await enqueue(uow, turn.events, merchant_chat_id=self._config.merchant_chat_id, now=turn.now)
                outcome = await queue_replies(uow, event, outcome, turn.now)
                await uow.commit()
                _log_events(turn)
                return outcome, turn.deferred
            except AlreadyHandled:  # another turn took the update meanwhile (its lease had run out)
                log.info("update_redelivered", update_id=event.update_id)
                await uow.rollback()
                return Outcome(), []
            except (DomainError, StaleAction) as error:
                log.info("event_refused", kind=str(event.kind), error=type(error).__name__)
                failure = error
            except Exception as error:
                log.exception("event_failed", kind=str(event.kind), update_id=event.update_id)
                if first and not ATTEMPT.get().last:
                    raise  # nothing is kept; the inbox tries the update again a little later
                failure = error
            await uow.rollback()
        return await self._refused(event, failure), []

    async def _refused(self, event: Incoming, error: Exception) -> Outcome:
        """Nothing of the failed event is kept; record the update so a redelivery is not refused twice:
        done when the customer was refused, failed when handling gave up (told once, plainly)."""
        gave_up = not isinstance(error, DomainError | StaleAction)
        async with self._uow_factory() as uow:
            if event.update_id is not None:
                await uow.updates.first_time(event.update_id, self._clock.now(), failed=gave_up)
                if gave_up:
                    log.error("update_failed", update_id=event.update_id, kind=str(event.kind))
            turn = await self._turn(uow, event)
            outcome = await explain(turn, error)
            if gave_up and ATTEMPT.get().number > 1 and outcome.answer and not outcome.replies:
                # the button was answered at the first attempt: a toast now would never show
                outcome = Outcome(replies=[Reply(outcome.answer)])
            outcome = await queue_replies(uow, event, outcome, turn.now)
            await uow.commit()
            return outcome

    async def _turn(self, uow: UnitOfWork, event: Incoming, read: InDialog | None = None) -> Turn:
        """`read`: the customer and their dialog, read along with the update's first-time check."""
        customer, dialog = read or await uow.customers.get_in_dialog(event.user_id)  # one read, every turn
        if customer is None:
            customer = Customer(event.user_id, event.user_name[:64], language_for(event.language_code))
            await uow.customers.add(customer)
        now = self._clock.now()
        return Turn(
            event,
            uow,
            customer,
            self._config,
            now,
            dialog=dialog,
            payments=self._payments,
            gateway=self._gateway,
        )

    async def _end_prompt(self, turn: Turn) -> Outcome:
        return (await merchant_router.settle_prompt(self._merchant, turn))[0] if self._merchant else Outcome()

    async def _route(self, turn: Turn) -> Outcome:
        desk = self._merchant
        if desk is None:
            return await self._customer(turn)
        ended, used_up = await merchant_router.settle_prompt(desk, turn)  # a prompt takes only its answer
        if used_up:
            return ended
        if merchant_router.claims(desk, turn.event, turn.dialog):
            return _followed_by(ended, await merchant_router.handle(desk, turn))
        return _followed_by(ended, await self._customer(turn))

    async def _customer(self, turn: Turn) -> Outcome:
        event = turn.event
        if not event.private:  # staff chatter in the merchant group
            return Outcome()
        await contact.leave_unless_message(turn)  # a button or command ends "write to the shop"
        if event.kind is Kind.BUTTON:
            action = unpack(event.action)
            return await ROUTES[type(action)](turn, action)
        command = event.text.lower().split("@")[0] if event.kind is Kind.COMMAND else None
        if command == "cancel":
            return await checkout.cancel(turn)
        if checkout.in_form(turn):
            if command in checkout.ASIDES:  # answered, and the checkout waits where it was
                return checkout.then_resume(turn, await COMMANDS[command](turn))
            return await checkout.on_input(turn)
        if contact.writing(turn) and command is None:
            return await contact.on_message(turn)
        if command is not None:
            handler = COMMANDS.get(command)
            return await handler(turn) if handler else await start.on_unexpected(turn)
        if event.kind is Kind.TEXT:
            if tracking.is_track_intent(event.text):
                return await tracking.track(turn)
            return await catalog.search(turn, event.text)
        return await start.on_unexpected(turn)


def _followed_by(first: Outcome, then: Outcome) -> Outcome:
    """One event's outcome from the turn's and its after-commit steps': replies in order, the last toast."""
    if then.answer is None:
        return Outcome([*first.replies, *then.replies], first.answer, first.alert)
    return Outcome([*first.replies, *then.replies], then.answer, then.alert)


def _log_events(turn: Turn) -> None:
    for event in turn.events:  # order ids only: never names, phones or addresses
        log.info("domain_event", name=type(event).__name__, order_id=getattr(event, "order_number", None))
