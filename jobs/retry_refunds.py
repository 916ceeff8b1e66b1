"""Refunds owed whose first try after commit did not get an answer from the provider: tried again,
each with a growing delay, until the provider answers or the merchant is asked to refund by hand.

Every call to the provider happens with no transaction open: the due refunds are read in one short
read-only unit of work, each is tried, and its answer is recorded in a short unit of its own, which also
redraws the order's card in the merchant chat when the refund failed (it then asks for it by hand).
"""

from __future__ import annotations

from functools import partial

from domain.clock import Clock
from domain.ports import PaymentGateway, UnitOfWorkFactory
from handlers.merchant.notices import refresh_cards
from handlers.payments.refunds import issue_refund

__all__ = ["RetryRefunds"]


class RetryRefunds:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        gateway: PaymentGateway,
        clock: Clock,
        merchant_chat_id: int | None,
        *,
        batch: int = 20,
        manual_delivery: bool = True,  # no tracking provider: the card shows the delivery buttons
    ) -> None:
        self._uow_factory = uow_factory
        self._gateway = gateway
        self._clock = clock
        self._merchant_chat_id = merchant_chat_id
        self._batch = batch
        self._cards = partial(refresh_cards, chat_id=merchant_chat_id, manual_delivery=manual_delivery)

    async def run(self) -> int:
        """Try every due refund once; returns how many were tried."""
        async with self._uow_factory(write=False) as uow:
            due = await uow.refunds.due(self._clock.now(), limit=self._batch)
            orders = [await uow.orders.get(refund.order_number) for refund in due]
        for refund, order in zip(due, orders, strict=True):
            await issue_refund(
                self._uow_factory,
                self._gateway,
                self._clock,
                refund,
                merchant_chat_id=self._merchant_chat_id,
                order=order,
                refresh_cards=self._cards,
            )
        return len(due)
