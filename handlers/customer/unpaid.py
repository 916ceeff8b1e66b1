"""Orders not paid yet: "Pay now" while the items are held (the Stripe link reused — its idempotency key
is the order's — or made anew after the commit; a Telegram invoice sent again). Once an order expired
unpaid, its expiry message offers "Restore cart" (`BuyAgain`)."""

from __future__ import annotations

import structlog

from domain.errors import DomainError
from domain.order import Order
from domain.order_status import OrderStatus
from domain.services import order_for_customer
from handlers.actions.customer import PayNow, ShowOrder
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import AfterCommit, Finish, Turn

__all__ = ["COMMANDS", "ROUTES", "can_pay_now"]

log = structlog.get_logger(__name__)


def can_pay_now(turn: Turn, order: Order) -> bool:
    return (
        order.status is OrderStatus.PLACED
        and order.payment_method.prepaid
        and order.reserved_until > turn.now
        and order.payment_method in turn.payments
    )


async def pay_now(turn: Turn, action: PayNow) -> Outcome:
    order = await order_for_customer(turn.uow, action.number, turn.user_id)
    if not can_pay_now(turn, order):
        text = turn._("Order {number} can no longer be paid here.").format(number=order.number)
        return turn.say(text, [[turn.button(turn._("📦 View order"), ShowOrder(order.number))]])
    starter = turn.payments[order.payment_method]
    started = await starter(turn.uow, order, language=turn.language, now=turn.now)
    if callable(started):  # the card link: asked of Stripe once committed (the same session while held)
        turn.after_commit(_or_explained(started))
        return Outcome()
    return Outcome(replies=list(started))


def _or_explained(step: AfterCommit) -> AfterCommit:
    async def outside() -> Finish:
        try:
            return await step()
        except DomainError as error:
            log.warning("pay_now_link_failed", error=type(error).__name__)

        async def explain(turn: Turn) -> Outcome:
            text = turn._("Card payment is not available right now. Please try again in a minute.")
            return turn.say(text)

        return explain

    return outside


COMMANDS: dict[str, object] = {}
ROUTES = {PayNow: pay_now}
