"""The one path every outgoing message takes: lease due outbox rows, deliver, settle.

A row is marked sent only after the platform accepted it, so a relay that dies mid-way loses nothing:
its leased rows become due again when the lease runs out (a message delivered in the instant before
the crash may then go out twice; nothing is ever dropped). Settling is conditional on the lease, so two
relays never both settle, and they never lease the same row while a lease is live. A payload shown as
several messages (an invoice after its text) that fails once the first went out keeps only what is left
(the error's `unsent`): the retry does not show the text again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.flood_control import FloodControl
from domain.clock import Clock
from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater
from domain.outbox import OutboxMessage
from domain.ports import Notifier, OutboxQueue, UnitOfWorkFactory
from storage.queues.workers import worker_gone, worker_name

__all__ = ["OutboxRelay", "RelayPolicy", "worker_name", "worker_gone", "mark_unreachable_with"]

_WAITS = "waits for the chat's earlier message"
log = logging.getLogger("shopbot.outbox")

OnBlocked = Callable[[int], Awaitable[None]]
OnSent = Callable[[OutboxMessage, int | None], Awaitable[None]]  # the row and the platform's message id


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    max_attempts: int = 8
    lease_seconds: float = 60.0
    batch: int = 50
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 3600.0
    max_wait_seconds: float = 2.0  # longer flood waits give the row back (postponed) instead of holding it
    # A batch stops a quarter-lease before expiry: its remaining rows are given back, never sent late.

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt `attempts + 1`: base * 2^(attempts-1), capped."""
        seconds = self.backoff_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.backoff_max_seconds))


class OutboxRelay:
    def __init__(
        self,
        queue: OutboxQueue,
        notifier: Notifier,
        flood: FloodControl,
        clock: Clock,
        *,
        policy: RelayPolicy | None = None,
        on_blocked: OnBlocked | None = None,
        worker: str | None = None,
        on_sent: OnSent | None = None,
    ) -> None:
        self._queue = queue
        self._notifier = notifier
        self._flood = flood
        self._clock = clock
        self._policy = policy or RelayPolicy()
        self._on_blocked = on_blocked or self.ignore_blocked
        self._on_sent = on_sent
        self.worker = worker or worker_name()
        self.sent = 0
        self.throttled = 0  # RetryLater answers seen
        # chat -> (id of its message awaiting a retry after a failure, when it is due): the chat's later
        # messages wait for it, here and in `send_now`, so a customer reads them in order
        self._retrying: dict[int, tuple[int, datetime]] = {}

    @staticmethod
    async def ignore_blocked(chat_id: int) -> None:
        return None

    async def run_once(self) -> int:
        """Lease one batch and settle every row of it; returns how many rows were leased."""
        now = self._clock.now()
        until = now + timedelta(seconds=self._policy.lease_seconds)
        batch = await self._queue.lease(now, until, self.worker, limit=self._policy.batch)
        held_back: set[int] = set()  # chats whose earlier row was postponed: keep their order
        for message in batch:
            await self._handle(message, held_back, until)
        return len(batch)

    async def _handle(self, message: OutboxMessage, held_back: set[int], until) -> None:
        assert message.id is not None
        chat_id = message.chat_id
        left = (until - self._clock.now()).total_seconds()
        if left < self._policy.lease_seconds / 4:  # too close to expiry: another relay may take it soon
            await self._queue.postpone(message.id, self.worker, self._clock.now())
            return
        wait = self._flood.delay(chat_id)
        behind = self._behind(message)
        if behind is not None:  # an earlier message of the chat failed and waits for its retry
            held_back.add(chat_id)
            await self._queue.postpone(message.id, self.worker, behind, error=_WAITS)
            return
        if chat_id in held_back or wait > min(self._policy.max_wait_seconds, left / 2):
            held_back.add(chat_id)
            await self._queue.postpone(message.id, self.worker, self._clock.now() + timedelta(seconds=wait))
            return
        await self._flood.acquire(chat_id)
        await self._deliver(message, held_back)

    async def send_now(self, messages: list[OutboxMessage]) -> None:
        """A turn's replies, right after its commit (rows this relay's worker holds): each goes out at
        once unless a 429 paused its chat or the bot; counted against the flood limits all the same.
        What cannot go out now is left in the outbox, due when Telegram said, for `run_once`. A reply
        does not wait for the one before it to be marked sent: the turn's replies are marked together once
        the last is out (one batch of the queue's marks), and this returns when they are written."""
        held_back: set[int] = set()
        delivered: list[tuple[OutboxMessage, int | None]] = []
        try:
            for message in messages:
                assert message.id is not None
                paused = self._flood.paused(message.chat_id)
                behind = self._behind(message)
                if behind is not None:
                    held_back.add(message.chat_id)
                    await self._queue.postpone(message.id, self.worker, behind, error=_WAITS)
                    continue
                if message.chat_id in held_back or paused > 0:
                    held_back.add(message.chat_id)
                    at = self._clock.now() + timedelta(seconds=paused)
                    await self._queue.postpone(message.id, self.worker, at, error="flood pause")
                    continue
                self._flood.count(message.chat_id)
                await self._deliver(message, held_back, delivered)
        finally:  # what was delivered is marked sent even when a later reply's bookkeeping failed
            marks = (self._mark_sent(message, sent_id) for message, sent_id in delivered)
            outcomes = await asyncio.gather(*marks, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _deliver(
        self,
        message: OutboxMessage,
        held_back: set[int],
        delivered: list[tuple[OutboxMessage, int | None]] | None = None,
    ) -> None:
        """Send `message` and settle its row; `delivered`: once sent, leave it there to be marked sent."""
        assert message.id is not None
        chat_id = message.chat_id
        try:
            sent_id = await self._notifier.deliver(chat_id, message.payload)
        except RetryLater as exc:
            self.throttled += 1
            held_back.add(chat_id)
            self._flood.pause(chat_id, exc.seconds, whole_bot=exc.whole_bot)
            at = self._clock.now() + timedelta(seconds=exc.seconds)
            await self._queue.postpone(message.id, self.worker, at, error=str(exc), payload=exc.unsent)
            log.info("outbox_throttled chat_id=%s retry_after=%s", chat_id, exc.seconds)
        except RecipientBlocked as exc:
            await self._queue.fail(message.id, self.worker, f"blocked: {exc}")
            dropped = await self._queue.fail_chat(chat_id, "recipient blocked the bot")
            await self._on_blocked(chat_id)
            held_back.add(chat_id)
            log.warning("outbox_recipient_blocked chat_id=%s dropped=%s", chat_id, dropped)
        except DeliveryFailed as exc:
            await self._failed(message, exc)
            if chat_id in self._retrying:
                held_back.add(chat_id)
        else:
            self._settled(message)
            if delivered is None:
                await self._mark_sent(message, sent_id)
            else:
                delivered.append((message, sent_id))

    async def _mark_sent(self, message: OutboxMessage, sent_id: int | None) -> None:
        assert message.id is not None
        question = _question(message, sent_id)
        if await self._queue.mark_sent(message.id, self.worker, self._clock.now(), question=question):
            self.sent += 1
            if self._on_sent is not None:
                await self._on_sent(message, sent_id)
        else:
            log.warning("outbox_lease_lost id=%s", message.id)

    async def _failed(self, message: OutboxMessage, exc: DeliveryFailed) -> None:
        assert message.id is not None
        attempts = message.attempts + 1
        if exc.permanent or attempts >= self._policy.max_attempts:
            self._settled(message)
            await self._queue.fail(message.id, self.worker, str(exc))
            log.warning("outbox_failed id=%s attempts=%s error=%s", message.id, attempts, exc)
            return
        at = self._clock.now() + self._policy.backoff(attempts)
        await self._queue.retry(message.id, self.worker, at, str(exc), payload=exc.unsent)
        forgotten = self._clock.now() - timedelta(seconds=self._policy.lease_seconds)
        for chat_id, (_, due) in list(self._retrying.items()):  # retries another relay took over
            if due < forgotten:
                del self._retrying[chat_id]
        self._retrying[message.chat_id] = (message.id, at)
        log.info("outbox_retry id=%s attempts=%s", message.id, attempts)

    def _behind(self, message: OutboxMessage) -> datetime | None:
        """When the chat's earlier message that failed is due again, if `message` must wait for it. A
        retry another relay took over (this one's lease ran out) is forgotten a lease after it was due."""
        waiting = self._retrying.get(message.chat_id)
        if waiting is None or message.id is None or message.id <= waiting[0]:
            return None
        due = waiting[1]
        if self._clock.now() > due + timedelta(seconds=self._policy.lease_seconds):
            del self._retrying[message.chat_id]
            return None
        return due

    def _settled(self, message: OutboxMessage) -> None:
        """`message` is sent or given up: the chat's later messages no longer wait for it."""
        waiting = self._retrying.get(message.chat_id)
        if waiting is not None and waiting[0] == message.id:
            del self._retrying[message.chat_id]

    async def run_forever(self, stop: asyncio.Event, *, idle_seconds: float = 1.0) -> None:
        """Drain continuously; sleep `idle_seconds` when nothing was due. Errors are logged, not fatal.
        Rows held by processes of this host that are gone (killed before sending) are taken first."""
        try:
            freed = await self._queue.release_orphans(worker_gone)
            if freed:
                log.warning("outbox_orphans_freed count=%s", freed)
        except Exception:
            log.exception("outbox_orphans_failed")
        while not stop.is_set():
            try:
                leased = await self.run_once()
            except Exception:  # a database hiccup must not end the relay
                log.exception("outbox_relay_error")
                leased = 0
            if leased == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=idle_seconds)
                except TimeoutError:
                    pass


def _question(message: OutboxMessage, sent_id: int | None) -> tuple[int, str, int] | None:
    """(user, dialog state, message id) when the sent message asks a customer's open question."""
    state = message.payload.get("dialog")
    return (message.chat_id, str(state), sent_id) if state and sent_id is not None else None


def mark_unreachable_with(uow_factory: UnitOfWorkFactory) -> OnBlocked:
    """`on_blocked` hook: the customer behind a blocked private chat is marked unreachable, so jobs stop
    enqueueing for them. Only that one column is written: a phone or address the customer saves at the
    same moment stays."""

    async def mark(chat_id: int) -> None:
        if chat_id < 0:  # a group (the merchant chat): nobody to mark
            return
        async with uow_factory() as uow:
            if await uow.customers.mark_unreachable(chat_id):
                await uow.commit()

    return mark
