"""The inbox processor over the in-memory inbox: per-chat order, retries, giving up, graceful stop."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.background.inbox_processor import InboxProcessor
from bot.observability.instrumentation import InstrumentedHandler
from bot.observability.metrics import Metrics
from domain.clock import FixedClock
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Outcome
from tests.fakes.memory import FakeInbox, MemoryState


def _update(update_id: int, chat_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "chat_id": chat_id}


class Shop:
    """Feeds updates to an instrumented handler, as a runtime would; fails the ids it is told to."""

    def __init__(self, *, failing: dict[int, int] | None = None) -> None:
        self.handled: list[int] = []
        self.failing = dict(failing or {})  # update id -> how many more times to fail
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.metrics = Metrics.create()
        self.handler = InstrumentedHandler(self._handle, self.metrics)

    async def _handle(self, event: Incoming) -> Outcome:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failing.get(event.update_id, 0) > 0:
            self.failing[event.update_id] -= 1
            raise ConnectionError("database went away")
        self.handled.append(event.update_id)
        return Outcome()

    async def feed(self, payload: dict[str, Any]) -> None:
        event = Incoming(Kind.TEXT, payload["chat_id"], payload["chat_id"], update_id=payload["update_id"])
        try:
            await self.handler(event)
        except Exception:  # the runtime answers the user and swallows the error
            pass


async def _stored(inbox: FakeInbox, clock: FixedClock, *pairs: tuple[int, int]) -> None:
    for update_id, chat_id in pairs:
        await inbox.store(update_id, chat_id, _update(update_id, chat_id), clock.now())


async def _drain(processor: InboxProcessor) -> None:
    while await processor.run_once():
        await processor.drain()


async def test_each_chat_is_handled_in_order_while_chats_run_side_by_side():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = FakeInbox(state)
    await _stored(inbox, clock, (1, 10), (2, 20), (3, 10), (4, 10), (5, 20))
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1")
    await _drain(processor)
    assert [u for u in shop.handled if u in (1, 3, 4)] == [1, 3, 4]
    assert [u for u in shop.handled if u in (2, 5)] == [2, 5]
    assert {e.state for e in state.inbox.values()} == {"done"}


async def test_an_update_whose_handling_failed_is_handled_again_later_and_holds_back_its_chat():
    state, clock, shop = MemoryState(), FixedClock(), Shop(failing={1: 1})
    inbox = FakeInbox(state)
    await _stored(inbox, clock, (1, 10), (2, 10), (3, 30))
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1")
    await _drain(processor)
    assert shop.handled == [3]  # 1 waits for its retry, 2 waits behind it
    assert state.inbox[1].state == "pending" and state.inbox[1].attempts == 1
    clock.advance(seconds=2)
    await _drain(processor)
    assert shop.handled == [3, 1, 2]
    assert 'shopbot_updates_total{outcome="error",type="text"} 1.0' in shop.metrics.render().decode()


async def test_an_update_that_keeps_failing_is_given_up_and_the_chat_goes_on():
    state, clock, shop = MemoryState(), FixedClock(), Shop(failing={1: 99})
    inbox = FakeInbox(state)
    await _stored(inbox, clock, (1, 10), (2, 10))
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1", max_attempts=3)
    for _ in range(5):
        await _drain(processor)
        clock.advance(seconds=600)
    assert state.inbox[1].state == "failed" and state.inbox[1].attempts == 4
    assert shop.handled == [2]


async def test_a_dead_processors_update_is_taken_over_when_its_lease_expires():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = FakeInbox(state)
    await _stored(inbox, clock, (1, 10))
    await inbox.claim(clock.now(), clock.now() + timedelta(seconds=120), "dead")
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w2")
    await _drain(processor)
    assert shop.handled == []
    clock.advance(seconds=121)
    await _drain(processor)
    assert shop.handled == [1] and state.inbox[1].state == "done"


async def test_stop_finishes_the_updates_in_hand_and_claims_no_more():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = FakeInbox(state)
    await _stored(inbox, clock, (1, 10), (2, 10))
    shop.gate = asyncio.Event()
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1")
    processor.start()
    await shop.entered.wait()
    stopping = asyncio.create_task(processor.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # update 1 is in hand
    shop.gate.set()
    await stopping
    assert shop.handled == [1]
    assert state.inbox[1].state == "done" and state.inbox[2].state == "pending"


async def test_a_busy_processor_claims_several_updates_at_once_not_one_per_finished_update():
    state, clock = MemoryState(), FixedClock()
    inbox = FakeInbox(state)
    await _stored(inbox, clock, *[(n, 100 + n) for n in range(1, 61)])  # 60 customers waiting
    release = {n: asyncio.Event() for n in range(1, 61)}
    handled: list[int] = []

    async def feed(payload: dict[str, Any]) -> None:
        await release[payload["update_id"]].wait()
        handled.append(payload["update_id"])

    processor = InboxProcessor(inbox, feed, clock, worker="w1", concurrency=32)
    assert await processor.run_once() == 32  # the first claim fills every place
    for finished in range(1, 8):  # one by one, 7 places come free: no claim (a write) per update
        release[finished].set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert await processor.run_once() == 0
    release[8].set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await processor.run_once() == 8  # then one claim for the 8 free places
    for event in release.values():
        event.set()
    await processor.drain()
    await _drain(processor)
    assert sorted(handled) == list(range(1, 61))


class _CountingInbox(FakeInbox):
    """Counts the claims made on their own, apart from those made along with a store."""

    def __init__(self, state: MemoryState) -> None:
        super().__init__(state)
        self.claims_alone = 0
        self._storing = False

    async def store_many(self, updates: list[tuple[int, int | None, dict]], now: Any) -> int:
        self._storing = True
        try:
            return await super().store_many(updates, now)
        finally:
            self._storing = False

    async def claim(self, now: Any, until: Any, worker: str, *, limit: int = 16) -> list[Any]:
        self.claims_alone += not self._storing
        return await super().claim(now, until, worker, limit=limit)


async def _handled(shop: Shop, count: int) -> None:
    async with asyncio.timeout(2):  # far below the processor's idle claim: woken, not polled
        while len(shop.handled) < count:  # noqa: ASYNC110 (the handler has no event to give)
            await asyncio.sleep(0.01)


async def _store_woken(inbox: FakeInbox, processor: InboxProcessor, clock: FixedClock, *pairs) -> None:
    for update_id, chat_id in pairs:
        await inbox.store(update_id, chat_id, _update(update_id, chat_id), clock.now())
        processor.wake()  # as the webhook does after storing


async def test_a_lone_customers_updates_cost_no_claim_after_each_one():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = _CountingInbox(state)
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1", idle_seconds=60)
    processor.start()
    await asyncio.sleep(0.01)  # the loop's first claim, at start
    for update_id in range(1, 6):  # one customer, each step after the reply to the one before
        await _store_woken(inbox, processor, clock, (update_id, 10))
        await _handled(shop, update_id)
    await asyncio.sleep(0.01)
    assert inbox.claims_alone == 1  # each update was taken by its own store's claim
    await processor.stop()
    assert shop.handled == [1, 2, 3, 4, 5]


async def test_updates_stored_behind_one_in_hand_follow_it_as_soon_as_it_is_done():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = FakeInbox(state)
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1", idle_seconds=60)
    processor.start()
    shop.gate = asyncio.Event()
    await _store_woken(inbox, processor, clock, (1, 10))
    await shop.entered.wait()
    await _store_woken(inbox, processor, clock, (2, 10), (3, 20))
    await inbox.store_many([(4, 10, _update(4, 10)), (5, 10, _update(5, 10))], clock.now())  # a polled batch
    processor.wake()
    shop.gate.set()
    await _handled(shop, 5)
    await processor.stop()
    assert [u for u in shop.handled if u != 3] == [1, 2, 4, 5]


async def test_an_update_stored_while_every_place_is_taken_starts_when_one_comes_free():
    state, clock, shop = MemoryState(), FixedClock(), Shop()
    inbox = FakeInbox(state)
    processor = InboxProcessor(inbox, shop.feed, clock, worker="w1", concurrency=1, idle_seconds=60)
    processor.start()
    shop.gate = asyncio.Event()
    await _store_woken(inbox, processor, clock, (1, 10))
    await shop.entered.wait()
    await _store_woken(inbox, processor, clock, (2, 20))  # no place: stored, not claimed
    await asyncio.sleep(0.05)  # the woken loop finds no place either, and waits
    assert state.inbox[2].leased_by is None
    shop.gate.set()
    await _handled(shop, 2)
    await processor.stop()
    assert shop.handled == [1, 2]
