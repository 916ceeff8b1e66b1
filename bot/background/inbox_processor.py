"""Processes the durable inbox: claims updates, feeds each through the Telegram runtime, settles it.

processor = InboxProcessor(inbox, runtime.feed, clock, worker=worker_name())
processor.start()        # the webhook calls `processor.wake()` after storing an update
...
await processor.stop()   # no new claims; the updates in hand are finished

Up to `concurrency` updates run at once, never two of one chat (the inbox hands out one per chat). A
finished update is followed by a claim only when something may be waiting for it: an update of its chat
stored here behind it (the store tells what it kept and what it took), or updates a claim left
for lack of room. A lone customer's update then costs no claim after it. An update of the chat stored by
another process while this one held the chat is taken at the next claim of either (at the latest their
idle claim, every `idle_seconds`).

An update whose handling failed (the handler raised: the database was down, ...) goes back with a
growing delay; after `max_attempts` it is given up and logged. A processor that dies leaves a lease that
expires, or that the next processor on the same host frees at its start, and another processor takes the
update again; the handler's processed-update record keeps it from being handled to completion twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import structlog

from bot.observability.instrumentation import observe_handling
from domain.clock import Clock
from domain.ports import ClaimAlong, Inbox, InboxUpdate
from handlers.kernel.incoming import ATTEMPT, Attempt
from storage.queues.inbox import SETTLED
from storage.queues.workers import worker_gone

__all__ = ["InboxProcessor"]

log = structlog.get_logger("shopbot.inbox")

_BEHIND_KEPT = 10_000  # chats with updates stored behind others; past that the count is forgotten

Feed = Callable[[dict[str, Any]], Awaitable[None]]


class InboxProcessor:
    def __init__(
        self,
        inbox: Inbox,
        feed: Feed,
        clock: Clock,
        *,
        worker: str,
        concurrency: int = 32,
        lease: timedelta = timedelta(seconds=120),
        max_attempts: int = 5,
        idle_seconds: float = 0.5,
    ) -> None:
        self._inbox = inbox
        self._feed = feed
        self._clock = clock
        self._worker = worker
        self._concurrency = concurrency
        self._lease = lease
        self._max_attempts = max_attempts
        self._idle_seconds = idle_seconds
        self._claim_at_least = max(1, min(8, concurrency // 4))
        self._wake = asyncio.Event()
        self._stopping = False
        self._in_hand: set[asyncio.Task[None]] = set()
        self._reserved = 0  # places promised to claims being made along with a store
        self._stores_served = 0  # stores that took all they could: their wake() has nothing to do
        self._held: dict[int, int] = {}  # chat -> its updates in hand here
        self._behind: dict[int, int] = {}  # chat held here -> its updates stored here behind the one in hand
        self._short = False  # a claim filled every place, or a store found none: updates may wait unclaimed
        self._loop: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """New work may be claimable (an update was stored, or one of a busy chat finished)."""
        if self._stores_served:
            self._stores_served -= 1
            return
        self._wake.set()

    def start(self) -> None:
        self._inbox.claim_along(self._slot)  # stores claim for this processor in their own transaction
        self._loop = asyncio.create_task(self._run(), name=f"inbox-{self._worker}")

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[ClaimAlong | None]:
        """Room for updates taken as they are stored (no claim of their own); what the store took starts
        once its transaction is committed. While updates may wait unclaimed (a claim filled every place,
        or one was stored with none free), the store claims the oldest instead, so none is overtaken. A
        store that took less than it had room for took every update it could: the wake that follows the
        store is then not needed. What it left is claimed here as below: an update stored behind one in
        hand here when that one is done, one of a chat held elsewhere at once, anything else (a retry
        whose time has come) by the idle claim."""
        if self._stopping:
            yield None
            return
        room = max(self._room(), 0)
        now = self._clock.now()
        slot = ClaimAlong(now, now + self._lease, self._worker, room, waiting=self._short or not room)
        self._reserved += room
        try:
            yield slot
        finally:
            self._reserved -= room
            self._begin(slot.claimed)
            taken = {update.update_id for update in slot.claimed}
            for update_id, chat_id in slot.stored:
                if chat_id is None or update_id in taken:
                    continue
                if chat_id in self._held:  # it waits for the update of its chat in hand here
                    self._behind[chat_id] = self._behind.get(chat_id, 0) + 1
                else:  # held elsewhere, or the one in hand here finished meanwhile: claim again
                    self._wake.set()
            if len(self._behind) > _BEHIND_KEPT:  # chats whose updates another process took: forget
                self._behind.clear()
            if room and len(slot.claimed) < room:
                self._stores_served = 1  # at most one wake skipped: a stale skip costs one idle wait
                if slot.waiting:  # its claim took all there was
                    self._short = False
            elif slot.stored or room:  # a place for each, or stored with none: claim as places free
                self._short = True

    def _room(self) -> int:
        return self._concurrency - len(self._in_hand) - self._reserved

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop
        log.info("inbox_stopped", worker=self._worker)

    async def run_once(self) -> int:
        """Claim what there is room for and start it; returns how many updates were claimed. While many
        updates are in hand, a claim waits until a few places are free: one claim for several updates,
        not a claim (a write transaction) per update as each one finishes."""
        room = self._room()
        if room <= 0 or (room < self._claim_at_least and len(self._in_hand) > room):
            return 0
        now = self._clock.now()
        self._reserved += room
        try:
            claimed = await self._inbox.claim(now, now + self._lease, self._worker, limit=room)
        finally:
            self._reserved -= room
        self._short = len(claimed) >= room
        self._begin(claimed)
        return len(claimed)

    def _begin(self, claimed: list[InboxUpdate]) -> None:
        for item in claimed:
            chat = item.chat_id
            if chat is not None:
                self._held[chat] = self._held.get(chat, 0) + 1
                _count_down(self._behind, chat)
            task = asyncio.create_task(self._process(item))
            self._in_hand.add(task)
            task.add_done_callback(partial(self._done, chat))

    async def drain(self) -> None:
        """Wait for the updates in hand."""
        while self._in_hand:
            await asyncio.gather(*self._in_hand, return_exceptions=True)

    def _done(self, chat: int | None, task: asyncio.Task[None]) -> None:
        self._in_hand.discard(task)
        if chat is not None:
            _count_down(self._held, chat)
        if self._short or (chat is not None and chat in self._behind):  # something may wait for it
            self._wake.set()

    async def _run(self) -> None:
        try:  # updates a killed process of this host had in hand are taken again at once
            freed = await self._inbox.release_orphans(worker_gone)
            if freed:
                log.warning("inbox_orphans_freed", count=freed)
        except Exception:
            log.exception("inbox_orphans_failed", worker=self._worker)
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("inbox_claim_failed", worker=self._worker)
                claimed = 0
            if claimed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_seconds)
        await self.drain()

    async def _process(self, item: InboxUpdate) -> None:
        with structlog.contextvars.bound_contextvars(update_id=item.update_id):
            if item.attempts > self._max_attempts:
                await self._inbox.fail(item.update_id, self._worker)
                log.error("inbox_gave_up", attempts=item.attempts - 1)
                return
            attempt_of = ATTEMPT.set(Attempt(item.attempts, last=item.attempts >= self._max_attempts))
            settled: set[int] = set()  # the handler's commit adds the update when it settled it
            settled_by = SETTLED.set(settled)
            with observe_handling() as attempt:
                try:
                    await self._feed(item.payload)
                except Exception:
                    log.warning("inbox_feed_failed", attempts=item.attempts, exc_info=True)
                    attempt.failed = True
                finally:
                    ATTEMPT.reset(attempt_of)
                    SETTLED.reset(settled_by)
            if not attempt.failed and item.update_id in settled:
                return  # done in the handler's own commit: nothing left to settle
            try:
                await self._settle(item, failed=attempt.failed)
            except Exception:  # the lease runs out and another processor takes it again
                log.exception("inbox_settle_failed")

    async def _settle(self, item: InboxUpdate, *, failed: bool) -> None:
        if not failed:
            await self._inbox.finish(item.update_id, self._worker)
            return
        delay = timedelta(seconds=min(2**item.attempts, 300))
        await self._inbox.retry(item.update_id, self._worker, self._clock.now() + delay)
        log.warning("inbox_retry_later", attempts=item.attempts, delay_s=delay.total_seconds())


def _count_down(counts: dict[int, int], chat: int) -> None:
    left = counts.get(chat, 0) - 1
    if left > 0:
        counts[chat] = left
    else:
        counts.pop(chat, None)
