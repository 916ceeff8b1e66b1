"""Undoing a placed order whose payment could not start once it was committed.

A card order is committed with its reservation before Stripe is asked for a checkout link, so that no
transaction is open during the call (`Turn.after_commit`). When the link cannot be made, the order is undone
in a unit of work of its own: cancelled by the system (`change_status` releases its stock), the cart lines
and the checkout review put back, and the customer told that nothing was ordered, as if it never happened.

If the process dies between the commit and the link (or the link cannot be recorded), the order stays
PLACED without a way to pay until `jobs.expire_reservations` expires it at `reserved_until` and releases
its stock: that job is the backstop (a Stripe session made meanwhile was never shown to the customer).
"""

from __future__ import annotations

import structlog

from domain.actor import Actor
from domain.errors import DomainError
from domain.order import Order
from domain.order_status import OrderStatus
from domain.services import change_status
from handlers.customer.checkout.steps import Data, Step
from handlers.kernel.error_replies import explain
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import AfterCommit, Finish, Turn

__all__ = ["or_undone"]

log = structlog.get_logger(__name__)
CHECKOUT = Actor.system("checkout")


def or_undone(step: AfterCommit, order: Order, review: Data) -> AfterCommit:
    """`step`, or — when it fails — the undoing of `order`, whose checkout review held `review`."""

    async def outside() -> Finish:
        try:
            return await step()
        except DomainError as error:  # PaymentUnavailable: the provider refused or is down
            log.warning("payment_start_failed", order_id=order.number, error=type(error).__name__)
            failure: Exception = error
        except Exception as error:
            log.exception("payment_start_failed", order_id=order.number)
            failure = error

        async def undo(turn: Turn) -> Outcome:
            await _undo(turn, order, review)
            return await explain(turn, failure)

        return undo

    return outside


async def _undo(turn: Turn, order: Order, review: Data) -> None:
    """The order cancelled and its stock released, the cart and the review as they were before it.

    Its events go to no one: the customer is answered here, and the shop hears of a card order once paid.
    """
    stored = await turn.uow.orders.get_for_update(order.number)
    if stored is not None and stored.status is OrderStatus.PLACED:
        await change_status(
            turn.uow, stored, OrderStatus.CANCELLED, CHECKOUT, turn.now, "payment did not start"
        )
    cart = await turn.uow.carts.get(order.customer_id)
    for line in order.lines:
        cart.add(line.sku, line.quantity)
    await turn.uow.carts.save(cart, now=turn.now)
    await turn.uow.dialogs.set(order.customer_id, Step.REVIEW, review)
