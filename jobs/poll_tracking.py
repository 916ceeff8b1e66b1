"""Job: poll the carrier-tracking provider for every parcel in flight and move orders accordingly.

Each run leases the due shipments (so a second run or a second worker polls others), registers new
tracking numbers, fetches statuses in batches of at most 40 and applies each change in its own unit of
work. A failing batch (rate limit, outage, garbled answer) only pushes its own shipments back with
exponential backoff; a refused number alerts the merchant once and stops being polled. A change also
redraws the order's card in the merchant chat, in its unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from domain.actor import Actor
from domain.clock import Clock
from domain.errors import DeliveryFailed, RetryLater
from domain.ports import CarrierTracking, Shipment, Shipments, TrackingStatus, UnitOfWorkFactory
from domain.tracking.statuses import REJECTED, UNREGISTERED, CarrierStatus
from handlers.kernel import outbox
from handlers.merchant.notices import refresh_cards
from jobs.apply_tracking import IN_FLIGHT, Applied, apply_carrier_status
from jobs.notices import rejected_number_alert

__all__ = ["PollTracking", "PollReport", "BATCH"]

log = logging.getLogger("shopbot.jobs.tracking")

BATCH = 40  # 17TRACK's limit of numbers per request
_DISCOVER_PAGE = 200


@dataclass(slots=True)
class PollReport:
    discovered: int = 0
    polled: int = 0
    changed: int = 0
    rejected: int = 0
    failed_batches: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        """True when the run found, changed, rejected or failed something (polling alone is routine)."""
        return bool(self.discovered or self.changed or self.rejected or self.failed_batches or self.errors)


@dataclass
class PollTracking:
    uow_factory: UnitOfWorkFactory
    shipments: Shipments
    tracking: CarrierTracking
    clock: Clock
    worker: str
    poll_every: timedelta = timedelta(minutes=30)
    merchant_chat_id: int | None = None
    lease: timedelta = timedelta(minutes=10)
    max_per_run: int = 2000
    backoff_max: timedelta = timedelta(hours=6)
    manual_delivery: bool = False  # it runs with a tracking provider: the cards show no delivery buttons

    async def run(self) -> PollReport:
        report = PollReport()
        report.discovered = await self._discover()
        now = self.clock.now()
        due = await self.shipments.lease_due(now, now + self.lease, self.worker, limit=self.max_per_run)
        known = [s for s in due if s.registered]
        await self._register([s for s in due if not s.registered], report)
        for chunk in _chunks(known, BATCH):
            await self._poll(chunk, report)
        return report

    async def _discover(self) -> int:
        """Orders shipped with a tracking number start being tracked (whoever shipped them)."""
        found = 0
        offset = 0
        while True:
            async with self.uow_factory(write=False) as uow:
                orders, total = await uow.orders.list_by_status(
                    IN_FLIGHT, offset=offset, limit=_DISCOVER_PAGE
                )
            parcels = [
                Shipment(o.tracking_number, o.number, o.carrier, next_poll_at=self.clock.now())
                for o in orders
                if o.tracking_number
            ]
            found += await self.shipments.track(parcels)
            offset += _DISCOVER_PAGE
            if offset >= total or not orders:
                return found

    async def _register(self, fresh: list[Shipment], report: PollReport) -> None:
        for chunk in _chunks(fresh, BATCH):
            try:
                parcels = list({s.tracking_number: (s.tracking_number, s.carrier) for s in chunk}.values())
                refused = await self.tracking.register_many(parcels)  # a number shared by orders once
            except (RetryLater, DeliveryFailed) as exc:
                await self._back_off(chunk, exc, report)
                continue
            for shipment in chunk:
                if shipment.tracking_number in refused:
                    await self._reject(shipment, refused[shipment.tracking_number], report)
                else:
                    shipment.registered = True
                    shipment.next_poll_at = self.clock.now()  # poll it right away below
            await self._poll([s for s in chunk if s.registered], report)

    async def _poll(self, chunk: Sequence[Shipment], report: PollReport) -> None:
        if not chunk:
            return
        try:
            statuses = await self.tracking.fetch(list(dict.fromkeys(s.tracking_number for s in chunk)))
        except (RetryLater, DeliveryFailed) as exc:
            await self._back_off(chunk, exc, report)
            return
        by_number = {st.tracking_number: st for st in statuses}
        for shipment in chunk:
            report.polled += 1
            status = by_number.get(shipment.tracking_number)
            try:
                await self._settle(shipment, status, report)
            except Exception as exc:  # one broken order must not stop the others
                log.exception("tracking_apply_failed order=%s", shipment.order_number)
                report.errors.append(f"order {shipment.order_number}: {type(exc).__name__}")
                await self._back_off([shipment], exc, report, count_batch=False)

    async def _settle(self, shipment: Shipment, status: TrackingStatus | None, report: PollReport) -> None:
        if status is not None and status.status == REJECTED:
            await self._reject(shipment, status.detail, report)
            return
        if status is not None and status.status == UNREGISTERED:
            shipment.registered = False  # the provider forgot it: register again next run
        if status is not None and status.status != shipment.last_status:
            result = await self._apply(shipment, status)
            report.changed += result is Applied.CHANGED
            shipment.last_status = status.status
            if result is Applied.CLOSED or status.status == CarrierStatus.DELIVERED:
                shipment.active = False
        shipment.failures = 0
        shipment.next_poll_at = self.clock.now() + self.poll_every
        await self.shipments.save(shipment, self.worker)

    async def _apply(self, shipment: Shipment, status: TrackingStatus) -> Applied:
        async with self.uow_factory() as uow:
            result = await apply_carrier_status(
                uow,
                shipment.order_number,
                status.status,
                actor=Actor.carrier(shipment.carrier or "carrier"),
                now=self.clock.now(),
                merchant_chat_id=self.merchant_chat_id,
                detail=status.detail,
                tracking_number=shipment.tracking_number,
                refresh_cards=partial(
                    refresh_cards, chat_id=self.merchant_chat_id, manual_delivery=self.manual_delivery
                ),
            )
            if result is Applied.CHANGED:
                await uow.commit()
        return result

    async def _reject(self, shipment: Shipment, reason: str, report: PollReport) -> None:
        report.rejected += 1
        shipment.active = False
        shipment.last_status = REJECTED
        if self.merchant_chat_id is not None:
            async with self.uow_factory() as uow:
                await outbox.write(
                    uow,
                    rejected_number_alert(
                        shipment.order_number,
                        shipment.tracking_number,
                        reason,
                        self.merchant_chat_id,
                        self.clock.now(),
                    ),
                )
                await uow.commit()
        await self.shipments.save(shipment, self.worker)
        log.warning("tracking_number_rejected order=%s", shipment.order_number)

    async def _back_off(
        self, chunk: Sequence[Shipment], exc: Exception, report: PollReport, *, count_batch: bool = True
    ) -> None:
        report.failed_batches += count_batch
        report.errors.append(str(exc))
        floor = timedelta(seconds=exc.seconds) if isinstance(exc, RetryLater) else timedelta(0)
        for shipment in chunk:
            shipment.failures += 1
            delay = min(self.poll_every * 2 ** (shipment.failures - 1) / 8, self.backoff_max)
            shipment.next_poll_at = self.clock.now() + max(delay, floor, timedelta(seconds=30))
            await self.shipments.save(shipment, self.worker)
        log.warning("tracking_batch_failed size=%s error=%s", len(chunk), exc)


def _chunks(items: Sequence[Shipment], size: int) -> list[Sequence[Shipment]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
