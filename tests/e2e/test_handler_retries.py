"""An update whose handling fails is tried again with a growing delay, the chat's later updates waiting
behind it; after the last attempt it is marked failed, logged, and the customer told once, plainly.

The runtime (PTB) is fed from the inbox as `shopbot run` feeds it; the shop's database "goes away" for
the first attempts (cart writes raise, standing in for any unexpected error inside a turn).
"""

from __future__ import annotations

from structlog.testing import capture_logs

from bot.background.inbox_processor import InboxProcessor
from bot.telegram.connection import TelegramConnection
from bot.telegram.runtime import Runtime, build_runtime
from bot.telegram.webhook import chat_of
from domain.clock import FixedClock
from handlers.actions.customer import AddToCart, pack
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from tests.fakes.memory import FakeInbox, FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.shops.storage import stock_product

CHAT = 4711


class _FlakyCarts:
    def __init__(self, carts: object, factory: DatabaseAway) -> None:
        self._carts, self._factory = carts, factory

    async def get(self, customer_id: int) -> object:
        return await self._carts.get(customer_id)  # type: ignore[attr-defined]

    async def save(self, cart: object, *, now: object) -> None:
        if self._factory.failures > 0:
            self._factory.failures -= 1
            raise ConnectionError("the database went away")
        await self._carts.save(cart, now=now)  # type: ignore[attr-defined]


class _FlakyUnitOfWork(FakeUnitOfWork):
    def __init__(self, factory: DatabaseAway) -> None:
        super().__init__(factory.state)
        self.factory = factory

    async def __aenter__(self) -> _FlakyUnitOfWork:
        await super().__aenter__()
        self.carts = _FlakyCarts(self.carts, self.factory)  # type: ignore[assignment]
        return self


class DatabaseAway(FakeUnitOfWorkFactory):
    """In-memory shop whose cart writes fail while `failures` last (any unexpected error in a turn)."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        return _FlakyUnitOfWork(self)


async def _world(
    telegram: FakeTelegram, failures: int
) -> tuple[Runtime, InboxProcessor, FakeInbox, FixedClock]:
    factory = DatabaseAway(failures)
    async with factory() as uow:
        await stock_product(uow, "TEA-1")
        await uow.commit()
    clock = FixedClock()
    app = ShopApp(factory, clock, ShopConfig("Tea House", "USD"))
    connection = TelegramConnection(telegram.token, telegram.url)
    runtime = build_runtime("ptb", connection, app)
    await runtime.start_feeding()
    inbox = FakeInbox(factory.state)
    processor = InboxProcessor(inbox, runtime.feed, clock, worker="w1", max_attempts=3)
    return runtime, processor, inbox, clock


async def _store(telegram: FakeTelegram, inbox: FakeInbox, clock: FixedClock, text: str) -> int:
    update = await telegram.push_text(CHAT, text)
    await inbox.store(update["update_id"], chat_of(update), update, clock.now())
    return update["update_id"]


async def _press_add(telegram: FakeTelegram, inbox: FakeInbox, clock: FixedClock, message_id: int) -> int:
    """The customer presses "add to cart" under the bot's message `message_id`."""
    body = {
        "id": "cq-1",
        "from": telegram.user(CHAT),
        "message": telegram.message(CHAT, message_id),
        "chat_instance": f"ci-{CHAT}",
        "data": pack(AddToCart("TEA-1", 1)),
    }
    update = await telegram.push_update("callback_query", body)
    await inbox.store(update["update_id"], chat_of(update), update, clock.now())
    return update["update_id"]


async def _welcomed(telegram: FakeTelegram, inbox: FakeInbox, clock: FixedClock, processor) -> int:
    await _store(telegram, inbox, clock, "/start")
    assert await _attempt(processor) == 1
    return telegram.calls_of("sendMessage")[-1].result["message_id"]


def _cart(inbox: FakeInbox) -> dict[str, int]:
    cart = inbox.s.carts.get(CHAT)
    return dict(cart.lines) if cart else {}


async def _attempt(processor: InboxProcessor) -> int:
    claimed = await processor.run_once()
    await processor.drain()
    return claimed


def _texts(telegram: FakeTelegram) -> list[str]:
    return [c.params["text"] for c in telegram.calls_of("sendMessage") if c.params.get("chat_id") == CHAT]


async def test_a_failed_update_is_retried_later_and_the_chat_waits_behind_it(telegram: FakeTelegram):
    runtime, processor, inbox, clock = await _world(telegram, failures=2)
    try:
        card = await _welcomed(telegram, inbox, clock, processor)
        first = await _press_add(telegram, inbox, clock, card)
        await _store(telegram, inbox, clock, "/help")

        assert await _attempt(processor) == 1  # the press fails; /help waits behind it
        assert await _attempt(processor) == 0  # not again at once
        clock.advance(seconds=2)
        assert await _attempt(processor) == 1  # attempt 2 fails too: the delay grows
        clock.advance(seconds=2)
        assert await _attempt(processor) == 0
        assert _cart(inbox) == {} and len(_texts(telegram)) == 1  # nothing kept, nothing said yet
        clock.advance(seconds=2)
        assert await _attempt(processor) == 1  # attempt 3 succeeds
        assert await _attempt(processor) == 1  # then /help

        assert _cart(inbox) == {"TEA-1": 1}
        assert "/catalog" in _texts(telegram)[-1]
        assert inbox.s.inbox[first].state == "done"
    finally:
        await runtime.stop()


async def test_an_update_that_keeps_failing_is_marked_failed_and_the_customer_told_once(
    telegram: FakeTelegram,
):
    runtime, processor, inbox, clock = await _world(telegram, failures=99)
    try:
        card = await _welcomed(telegram, inbox, clock, processor)
        first = await _press_add(telegram, inbox, clock, card)
        await _store(telegram, inbox, clock, "/help")

        with capture_logs() as logs:
            for _ in range(3):
                assert await _attempt(processor) == 1
                clock.advance(seconds=10)
            assert await _attempt(processor) == 1  # the chat goes on: /help

        sorry = "Sorry, something went wrong on our side. Please try again in a minute."
        shown = [c.params["text"] for c in telegram.calls if c.method in ("sendMessage", "editMessageText")]
        assert shown.count(sorry) == 1 and "/catalog" in shown[-1]
        assert inbox.s.inbox[first].state == "failed" and _cart(inbox) == {}
        assert [e["update_id"] for e in logs if e["event"] == "update_failed"] == [first]  # logged once
    finally:
        await runtime.stop()
