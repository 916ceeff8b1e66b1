"""Job: the work tables' settled rows are deleted once nothing needs them, so that a shop running for years
keeps its business history and a few weeks of traffic, not every message and update it ever handled.

What goes, table by table (the periods are settings, `bot/settings.py`; docs/deployment.md says the same):

- `outbox`: messages sent, or given up (failed), written more than `outbox_retention_days` (30) ago; their
  payloads can hold a /stats chart or an /export CSV as base64. A pending message is never deleted,
  however old: it is still to go out. Nothing reads a settled message again but its dedupe key, which
  keeps one notice from being enqueued twice; every keyed notice is enqueued again, if ever, within days
  (a Stripe event redelivered for up to 3 days, a cart reminder inside its 3-day window, a job run twice),
  except the reminder of an unanswered order, which `jobs.unanswered_orders` stops sending once the order
  has waited longer than the outbox keeps it. Hence the floor of 4 days.
- `inbox`: updates done or failed, received more than `update_retention_days` (3) ago. The row is the
  record that its update was handled: Telegram redelivers an update for up to 24 hours, and a redelivery
  whose row is gone would be stored and handled again (floor: 2 days). A pending update is never deleted.
- `processed_updates`: the same record for updates handled without the inbox; the same period.
- `processed_webhook_events`: payment events processed (Stripe's event ids, Telegram's charge ids),
  recorded more than `webhook_event_retention_days` (30) ago. Stripe redelivers an event for up to 3 days
  (floor: 4) and keeps it 30 days, in which the merchant can send it again from Stripe's Dashboard; a
  duplicate then finds its record. (Settling a payment is idempotent by its reference anyway.)

Kept, never touched here: orders, their lines and timelines, payment attempts, refunds, reservations, stock
and its audit, promo uses, shipments (business history); funnel events (analytics); customers, carts and
dialogs (one row per customer, not per update); shop messages and product changes (what staff read);
early refunds (taken when their payment lands; only out-of-order Stripe events make one).

Each batch is one short transaction of at most `batch` rows (`Housekeeping`), oldest first: a first run
over a year of rows holds SQLite's write lock one batch at a time, in turn with the customers'
transactions, and a run does at most `max_batches` per table (the next run goes on). No other service is
called. Two runs at once (two workers) share the rows out between them and neither fails. Only counts are
logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from domain.clock import Clock
from domain.ports import Housekeeping

__all__ = ["PruneWorkTables", "PruneReport", "Retention"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long settled rows are kept (the settings' defaults)."""

    outbox: timedelta = timedelta(days=30)
    updates: timedelta = timedelta(days=3)  # inbox rows and processed-update records
    webhook_events: timedelta = timedelta(days=30)


@dataclass(slots=True)
class PruneReport:
    """Rows deleted by one run, per table."""

    outbox: int = 0
    inbox: int = 0
    processed_updates: int = 0
    webhook_events: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.inbox + self.processed_updates + self.webhook_events

    def __bool__(self) -> bool:
        """True when the run deleted something (a run with nothing old enough is routine)."""
        return self.total > 0


@dataclass
class PruneWorkTables:
    housekeeping: Housekeeping
    clock: Clock
    retention: Retention = field(default_factory=Retention)
    batch: int = 1000
    max_batches: int = 100  # per table and run: a backlog of a year goes over a few runs

    async def run(self) -> PruneReport:
        now = self.clock.now()
        kept = self.retention
        hk = self.housekeeping
        report = PruneReport(
            outbox=await self._drain(hk.prune_outbox, now - kept.outbox),
            inbox=await self._drain(hk.prune_inbox, now - kept.updates),
            processed_updates=await self._drain(hk.prune_processed_updates, now - kept.updates),
            webhook_events=await self._drain(hk.prune_webhook_events, now - kept.webhook_events),
        )
        if report:
            log.info(
                "work_tables_pruned",
                outbox=report.outbox,
                inbox=report.inbox,
                processed_updates=report.processed_updates,
                webhook_events=report.webhook_events,
            )
        return report

    async def _drain(self, prune: Callable[..., Awaitable[int]], before: datetime) -> int:
        deleted = 0
        for _ in range(self.max_batches):
            count = await prune(before, limit=self.batch)
            deleted += count
            if count < self.batch:
                break
            await asyncio.sleep(0)  # the event loop's other work between two batches
        return deleted
