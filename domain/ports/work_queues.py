"""Work that processes and jobs claim with leases, the pruning of that work once settled, and read-only
figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.analytics import Figures, OrderExportRow, ReportWindow
from domain.outbox import OutboxMessage

__all__ = [
    "OutboxQueue",
    "Shipment",
    "Shipments",
    "StaleCart",
    "StaleCarts",
    "ShopFigures",
    "InboxUpdate",
    "Inbox",
    "ClaimAlong",
    "ClaimSlots",
    "Housekeeping",
]


class OutboxQueue(Protocol):
    """The relay's side of the outbox: lease due pending rows, then settle each one.

    Every call is its own short transaction. Settling is conditional on still holding the lease
    (`worker`), so a relay whose lease expired (and whose rows another relay took) changes nothing.
    """

    async def lease(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 50
    ) -> list[OutboxMessage]:
        """Claim up to `limit` pending rows due at `now` and not leased (or lease expired), oldest first."""

    async def mark_sent(
        self, message_id: int, worker: str, now: datetime, *, question: tuple[int, str, int] | None = None
    ) -> bool:
        """Sent. `question` (user id, dialog state, Telegram's message id): the message shows that user's
        open question, remembered in the same transaction (ignored once the dialog has moved on)."""

    async def postpone(
        self,
        message_id: int,
        worker: str,
        at: datetime,
        *,
        error: str = "",
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Back to pending, due at `at`, without counting an attempt (flood control). `payload`: what
        is left to send, when part of the message went out (it replaces the row's payload)."""

    async def retry(
        self, message_id: int, worker: str, at: datetime, error: str, *, payload: dict[str, Any] | None = None
    ) -> bool:
        """Count a failed attempt and make the row due again at `at`; `payload` as for `postpone`."""

    async def fail(self, message_id: int, worker: str, error: str) -> bool: ...
    async def fail_chat(self, chat_id: int, error: str) -> int:
        """Give up every pending row of a chat (the recipient blocked the bot); returns how many."""

    async def release_orphans(self, gone: Callable[[str], bool]) -> int:
        """Free pending rows held by workers that no longer run; returns how many."""


@dataclass(slots=True)
class Shipment:
    tracking_number: str
    order_number: str
    carrier: str | None = None
    last_status: str = ""  # the carrier's main status last seen, e.g. "InTransit"
    registered: bool = False  # accepted by the tracking provider
    active: bool = True  # polled; off once delivered, rejected or the order left transit
    failures: int = 0  # consecutive failed polls (backoff)
    next_poll_at: datetime | None = None


class Shipments(Protocol):
    """Parcels being polled at the carrier-tracking provider, leased like outbox rows."""

    async def track(self, shipments: Sequence[Shipment]) -> int:
        """Start polling these parcels, skipping numbers already tracked; returns how many are new."""

    async def lease_due(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 400
    ) -> list[Shipment]: ...
    async def save(self, shipment: Shipment, worker: str) -> bool:
        """Store status, flags and next poll time of a leased shipment and drop the lease."""


@dataclass(frozen=True, slots=True)
class StaleCart:
    customer_id: int
    updated_at: datetime
    item_count: int


class StaleCarts(Protocol):
    async def claim_idle(
        self, before: datetime, *, after: datetime, now: datetime, limit: int = 200
    ) -> list[StaleCart]:
        """Non-empty carts last changed in [`after`, `before`) and not reminded since, oldest first, marked
        reminded at `now`: each change of a cart is claimed once, by one caller, however many ask at once."""


class ShopFigures(Protocol):
    """Read-only figures for merchants, computed by the database (aggregates, never order by order)."""

    async def figures(self, window: ReportWindow) -> Figures: ...
    async def order_rows(self, window: ReportWindow) -> list[OrderExportRow]:
        """The orders placed in the window, oldest first, for export."""


@dataclass(frozen=True, slots=True)
class InboxUpdate:
    """A Telegram update as received (the Bot API's JSON), waiting in the durable inbox."""

    update_id: int
    chat_id: int | None
    payload: dict[str, Any]
    attempts: int  # processing attempts started so far, this one included


@dataclass(slots=True)
class ClaimAlong:
    """Room for updates taken as they are stored (so a processor starts them without a claim of its own):
    each new update whose chat has nothing pending, up to `limit` (0: none), with the lease a `claim`
    takes. `waiting`: updates stored earlier may wait unclaimed (no place was free for them), so the store
    claims as `claim` does, oldest first, instead: a new update never overtakes them. Filled once
    committed: `claimed`, and `stored`, the (update id, chat id) of every update the store kept that was
    new."""

    now: datetime
    until: datetime
    worker: str
    limit: int
    waiting: bool = False
    claimed: list[InboxUpdate] = field(default_factory=list)
    stored: list[tuple[int, int | None]] = field(default_factory=list)


ClaimSlots = Callable[[], AbstractAsyncContextManager[ClaimAlong | None]]  # None: take nothing (stopping)


class Inbox(Protocol):
    """Telegram updates stored before the webhook answers 200 (or polling confirms them), processed here.

    Every call is its own short transaction. Claims lease the oldest pending update of each chat whose
    updates are not already leased, so one chat's updates run one at a time and in order; settling is
    conditional on still holding the lease (`worker`).
    """

    async def store(
        self, update_id: int, chat_id: int | None, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Keep the update; False when that update id is already stored (a redelivery)."""

    async def store_many(self, updates: list[tuple[int, int | None, dict[str, Any]]], now: datetime) -> int:
        """Keep a polled batch of (update_id, chat_id, payload) at once; returns how many were new."""

    async def claim(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 16
    ) -> list[InboxUpdate]: ...
    def claim_along(self, slots: ClaimSlots) -> None:
        """From now on every store also takes, in its own transaction, what it stores for the slot
        `slots()` gives (`ClaimAlong`)."""

    async def finish(self, update_id: int, worker: str) -> bool:
        """Processed: done. (The handler's own transaction may already have settled it.)"""

    async def retry(self, update_id: int, worker: str, at: datetime) -> bool:
        """Processing failed: pending again, not before `at`; the chat's later updates wait for it."""

    async def fail(self, update_id: int, worker: str) -> bool:
        """Given up: the chat's later updates go on without it."""

    async def release_orphans(self, gone: Callable[[str], bool]) -> int:
        """Free the leases of workers that no longer run; returns how many updates were freed."""

    async def backlog(self) -> int:
        """Updates still pending."""


class Housekeeping(Protocol):
    """Deleting the rows of the work tables that nothing needs any more (`jobs.prune`).

    Every call is one short transaction that deletes at most `limit` rows, oldest first, and returns how
    many it deleted (fewer than `limit`: none are left). A row still being worked on (a pending message,
    a pending update) is never deleted, however old. Two callers at once never fail: each row is deleted
    by one of them.
    """

    async def prune_outbox(self, before: datetime, *, limit: int) -> int:
        """Messages sent or given up (state sent or failed) that were written before `before`."""

    async def prune_inbox(self, before: datetime, *, limit: int) -> int:
        """Updates handled (done) or given up (failed) that were received before `before`."""

    async def prune_processed_updates(self, before: datetime, *, limit: int) -> int:
        """Records of updates handled without the inbox (`ProcessedUpdates`), made before `before`."""

    async def prune_webhook_events(self, before: datetime, *, limit: int) -> int:
        """Records of payment events processed (`ProcessedWebhookEvents`) before `before`."""
