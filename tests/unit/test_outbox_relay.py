"""The relay over the in-memory outbox and a Telegram-like fake, with time that moves only by sleeping."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.background.outbox_relay import OutboxRelay, RelayPolicy, mark_unreachable_with
from bot.flood_control import FloodControl
from domain.customer import Customer
from domain.errors import DeliveryFailed, RetryLater
from domain.outbox import OutboxMessage, OutboxState
from tests.fakes.memory import FakeOutboxQueue, FakeUnitOfWorkFactory, MemoryState
from tests.fakes.notifier import FakeTelegram
from tests.fakes.timer import ManualTime


class World:
    def __init__(self, **policy) -> None:
        self.time = ManualTime()
        self.uow_factory = FakeUnitOfWorkFactory(MemoryState())
        self.state = self.uow_factory.state
        self.queue = FakeOutboxQueue(self.state)
        self.telegram = FakeTelegram(self.time.monotonic)
        self.policy = RelayPolicy(**policy)

    def relay(self, worker: str = "w1", *, per_second: float = 30) -> OutboxRelay:
        flood = FloodControl(
            per_second=per_second,
            private_per_second=1,
            group_per_minute=20,
            monotonic=self.time.monotonic,
            sleep=self.time.sleep,
        )
        return OutboxRelay(
            self.queue,
            self.telegram,
            flood,
            self.time,
            policy=self.policy,
            on_blocked=mark_unreachable_with(self.uow_factory),
            worker=worker,
        )

    async def enqueue(self, chat_id: int, text: str, key: str | None = None) -> None:
        async with self.uow_factory() as uow:
            await uow.outbox.add(OutboxMessage(chat_id, {"text": text}, self.time.now(), dedupe_key=key))
            await uow.commit()

    async def drain(self, relay: OutboxRelay, *, rounds: int = 10_000) -> None:
        for _ in range(rounds):
            if not any(m.state is OutboxState.PENDING for m in self.state.outbox):
                return
            if await relay.run_once() == 0:
                await self.time.sleep(1)  # the relay's idle wait
        raise AssertionError("outbox never drained")

    def states(self) -> list[OutboxState]:
        return [m.state for m in self.state.outbox]


async def test_every_queued_message_reaches_its_chat_once_and_in_order():
    world = World()
    for i in range(5):
        await world.enqueue(42, f"message {i}")
    await world.enqueue(43, "hello")
    await world.drain(world.relay())
    assert world.telegram.texts(42) == [f"message {i}" for i in range(5)]
    assert world.telegram.texts(43) == ["hello"]
    assert set(world.states()) == {OutboxState.SENT}


async def test_the_relay_stays_under_telegram_limits_so_nothing_is_refused():
    world = World()
    for chat in range(1, 121):
        await world.enqueue(chat, "sale starts now")
        await world.enqueue(chat, "second line")
    await world.drain(world.relay())
    assert world.telegram.total == 240
    assert world.telegram.too_many == 0
    assert world.time.monotonic() >= 239 / 30


async def test_a_429_storm_delays_messages_but_loses_none():
    world = World()
    for chat in (42, 43, 44):
        world.telegram.failures[chat].extend(RetryLater(30) for _ in range(6))
        for i in range(3):
            await world.enqueue(chat, f"update {i}")
    await world.drain(world.relay())
    for chat in (42, 43, 44):
        assert world.telegram.texts(chat) == ["update 0", "update 1", "update 2"]
    assert world.time.monotonic() >= 6 * 30  # it waited as asked each time
    assert all(m.attempts == 0 for m in world.state.outbox)  # throttling is not a failed attempt


async def test_a_whole_bot_429_pauses_every_chat():
    world = World()
    world.telegram.failures[42].append(RetryLater(20, whole_bot=True))
    await world.enqueue(42, "first")
    await world.enqueue(43, "second")
    relay = world.relay()
    await relay.run_once()
    assert world.telegram.total == 0
    await world.drain(relay)
    assert world.time.monotonic() >= 20
    assert world.telegram.texts(43) == ["second"]


async def test_a_failing_delivery_backs_off_then_gives_up_after_the_attempt_limit():
    world = World(max_attempts=3, backoff_base_seconds=10)
    world.telegram.failures[42].extend(DeliveryFailed("HTTP 502") for _ in range(5))
    await world.enqueue(42, "will not arrive")
    relay = world.relay()
    await world.drain(relay)
    [message] = world.state.outbox
    assert message.state is OutboxState.FAILED and message.attempts == 3
    assert world.time.monotonic() >= 10 + 20  # backoff between attempts 1-2 and 2-3
    assert world.telegram.texts(42) == []


async def test_a_transient_failure_is_retried_and_then_delivered():
    world = World(backoff_base_seconds=5)
    world.telegram.failures[42].append(DeliveryFailed("timeout"))
    await world.enqueue(42, "eventually")
    await world.drain(world.relay())
    assert world.telegram.texts(42) == ["eventually"]
    assert world.state.outbox[0].attempts == 1


async def test_a_chats_later_messages_wait_for_its_earlier_one_that_failed_and_keep_their_order():
    """A 5xx on "Order placed" must not let "Payment received" reach the customer first."""
    world = World(backoff_base_seconds=5)
    world.telegram.failures[42].extend(DeliveryFailed("HTTP 502") for _ in range(2))  # two attempts fail
    for text in ("order placed", "payment received", "packed"):
        await world.enqueue(42, text)
    await world.enqueue(43, "another customer")
    relay = world.relay()
    await relay.run_once()
    assert world.telegram.texts(42) == []  # the first failed: the others wait behind it
    assert world.telegram.texts(43) == ["another customer"]  # other chats go on
    await world.drain(relay)
    assert world.telegram.texts(42) == ["order placed", "payment received", "packed"]


async def test_a_reply_sent_right_after_its_turn_waits_for_the_chats_message_awaiting_a_retry():
    world = World(backoff_base_seconds=5)
    world.telegram.failures[42].append(DeliveryFailed("HTTP 500"))
    await world.enqueue(42, "order placed")
    relay = world.relay()
    await relay.run_once()  # failed: retried in 5 s
    async with world.uow_factory() as uow:  # the customer's next turn, its reply held for this relay
        await uow.outbox.add(OutboxMessage(42, {"text": "your orders"}, world.time.now()))
        await uow.commit()
    [reply] = [m for m in world.state.outbox if m.payload["text"] == "your orders"]
    await relay.send_now([reply])
    assert world.telegram.texts(42) == []
    await world.drain(relay)
    assert world.telegram.texts(42) == ["order placed", "your orders"]


MERCHANTS = -100500


class _OverTheWire(FakeTelegram):
    """Telegram over HTTP: a send lets other tasks run while it is on its way."""

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        await asyncio.sleep(0)
        return await super().deliver(chat_id, payload)


class _SlowMarks(FakeOutboxQueue):
    """A database that takes its time to mark a row sent: each mark waits for `written`. `asked`: how many
    messages had reached Telegram when each mark was asked for."""

    def __init__(self, state: MemoryState, telegram: FakeTelegram) -> None:
        super().__init__(state)
        self.written = asyncio.Event()
        self.telegram = telegram
        self.asked: list[int] = []

    async def mark_sent(self, *args: Any, **kwargs: Any) -> bool:
        self.asked.append(self.telegram.total)
        await self.written.wait()
        return await super().mark_sent(*args, **kwargs)


async def test_a_turns_second_reply_goes_out_without_waiting_for_the_first_to_be_marked_sent():
    world = World()  # a group chat: Telegram takes two messages in a second there
    world.telegram = _OverTheWire(world.time.monotonic)
    world.queue = queue = _SlowMarks(world.state, world.telegram)
    async with world.uow_factory() as uow:  # one turn's two replies, held for this relay
        await uow.outbox.add(OutboxMessage(MERCHANTS, {"text": "Thanks, noted."}, world.time.now()))
        await uow.outbox.add(OutboxMessage(MERCHANTS, {"text": "Checkout 3/4"}, world.time.now()))
        await uow.commit()
    for message in world.state.outbox:
        world.state.outbox_leases[message.id] = ("w1", world.time.now() + timedelta(seconds=30))
    sending = asyncio.create_task(world.relay("w1").send_now(list(world.state.outbox)))
    for _ in range(20):
        await asyncio.sleep(0)
    assert world.telegram.texts(MERCHANTS) == ["Thanks, noted.", "Checkout 3/4"]  # neither marked yet
    assert not sending.done()  # the turn ends once its replies are marked sent
    # marked together after the last went out: the chat's next turn waits for one write, not two in a row
    assert queue.asked == [2, 2]
    queue.written.set()
    await sending
    assert world.states() == [OutboxState.SENT, OutboxState.SENT]


async def test_a_customer_who_blocked_the_bot_is_marked_unreachable_and_gets_nothing_more():
    world = World()
    world.state.customers[42] = Customer(42, "Ann")
    world.telegram.blocked.add(42)
    await world.enqueue(42, "your order shipped")
    await world.enqueue(42, "your order is out for delivery")
    await world.enqueue(43, "someone else")
    await world.drain(world.relay())
    assert world.state.customers[42].unreachable
    assert [m.state for m in world.state.outbox if m.chat_id == 42] == [OutboxState.FAILED] * 2
    assert world.telegram.texts(43) == ["someone else"]


async def test_a_relay_that_dies_after_leasing_loses_nothing_the_next_one_sends_after_the_lease():
    world = World(lease_seconds=60)
    await world.enqueue(42, "paid, thank you")
    dead = world.relay("dead")
    leased = await world.queue.lease(world.time.now(), world.time.now() + timedelta(seconds=60), dead.worker)
    assert len(leased) == 1  # ... and the process dies here, before delivering
    survivor = world.relay("survivor")
    assert await survivor.run_once() == 0  # the lease is still live: not sent twice
    world.time.advance(seconds=61)
    await world.drain(survivor)
    assert world.telegram.texts(42) == ["paid, thank you"]


async def test_two_relays_share_the_queue_without_sending_anything_twice():
    world = World(batch=7)
    for i in range(60):
        await world.enqueue(1000 + i % 20, f"m{i}")
    first, second = world.relay("a"), world.relay("b")
    for _ in range(1000):
        if all(m.state is OutboxState.SENT for m in world.state.outbox):
            break
        busy = await first.run_once() + await second.run_once()
        if busy == 0:
            await world.time.sleep(1)
    delivered = [t for texts in world.telegram.received.values() for t in texts]
    assert sorted(delivered) == sorted(f"m{i}" for i in range(60))
    assert first.sent > 0 and second.sent > 0


async def test_a_message_enqueued_twice_with_one_key_is_sent_once():
    world = World()
    await world.enqueue(42, "shipped", key="order:K7M-2QXD:shipped")
    await world.enqueue(42, "shipped", key="order:K7M-2QXD:shipped")
    await world.drain(world.relay())
    assert world.telegram.texts(42) == ["shipped"]


async def test_a_batch_that_outlasts_its_lease_gives_the_rest_back_instead_of_sending_late():
    world = World(lease_seconds=8, batch=50)
    for i in range(20):
        await world.enqueue(-100 - i, f"group {i}")  # groups: one message per 3 s each, 20 chats
    relay = world.relay(per_second=1)  # a slow bot-wide limit: 8 s of lease cannot fit 20 messages
    first_round = await relay.run_once()
    sent_in_first = relay.sent
    assert first_round == 20 and sent_in_first < 20  # stopped a quarter-lease before expiry
    assert all(m.id not in world.state.outbox_leases for m in world.state.outbox)  # nothing left leased
    await world.drain(relay)
    assert sorted(t for texts in world.telegram.received.values() for t in texts) == sorted(
        f"group {i}" for i in range(20)
    )
