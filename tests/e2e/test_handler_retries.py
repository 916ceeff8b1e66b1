"""An update whose handling fails is tried again with a growing delay, the chat's later updates waiting
behind it; after the last attempt it is marked failed, logged, and the customer told once, plainly.

The runtime (PTB) is fed from the inbox as `shopbot run` feeds it; the shop's database "goes away" for
the first attempts (a desk that raises, standing in for any unexpected error inside a turn).
"""

from __future__ import annotations

from structlog.testing import capture_logs

from bot.background.inbox_processor import InboxProcessor
from bot.telegram.runtime import Runtime, TelegramConnection, build_runtime
from bot.telegram.webhook import chat_of
from domain.clock import FixedClock
from handlers.app import ShopApp
from handlers.kernel.config import ShopConfig
from handlers.kernel.incoming import Incoming, Kind
from tests.fakes.memory import FakeInbox, FakeUnitOfWorkFactory
from tests.fakes.telegram_server import FakeTelegram

CHAT = 4711


class DatabaseAway:
    """Stands in the desk's place: every /start turn fails while `failures` last."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def claims(self, event: Incoming, dialog: object) -> bool:
        return event.kind is Kind.COMMAND and event.text == "start" and self.failures > 0

    async def handle(self, turn: object) -> None:
        self.failures -= 1
        raise ConnectionError("the database went away")

    async def refresh_cards(self, uow: object, events: object, now: object) -> None:
        return None

    def answers_in_group(self, event: Incoming) -> bool:
        return False


async def _world(
    telegram: FakeTelegram, failures: int
) -> tuple[Runtime, InboxProcessor, FakeInbox, FixedClock]:
    factory = FakeUnitOfWorkFactory()
    clock = FixedClock()
    desk = DatabaseAway(failures)
    app = ShopApp(factory, clock, ShopConfig("Tea House", "USD"), merchant=desk)  # type: ignore[arg-type]
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


async def _attempt(processor: InboxProcessor) -> int:
    claimed = await processor.run_once()
    await processor.drain()
    return claimed


def _texts(telegram: FakeTelegram) -> list[str]:
    return [c.params["text"] for c in telegram.calls_of("sendMessage") if c.params.get("chat_id") == CHAT]


async def test_a_failed_update_is_retried_later_and_the_chat_waits_behind_it(telegram: FakeTelegram):
    runtime, processor, inbox, clock = await _world(telegram, failures=2)
    try:
        first = await _store(telegram, inbox, clock, "/start")
        await _store(telegram, inbox, clock, "/help")

        assert await _attempt(processor) == 1  # /start fails; /help waits behind it
        assert _texts(telegram) == []
        assert await _attempt(processor) == 0  # not again at once
        clock.advance(seconds=2)
        assert await _attempt(processor) == 1  # attempt 2 fails too: the delay grows
        clock.advance(seconds=2)
        assert await _attempt(processor) == 0
        clock.advance(seconds=2)
        assert await _attempt(processor) == 1  # attempt 3 succeeds
        assert await _attempt(processor) == 1  # then /help

        texts = _texts(telegram)
        assert len(texts) == 2 and "Welcome to Tea House" in texts[0] and "/catalog" in texts[1]
        assert inbox.s.inbox[first].state == "done"
    finally:
        await runtime.stop()


async def test_an_update_that_keeps_failing_is_marked_failed_and_the_customer_told_once(
    telegram: FakeTelegram,
):
    runtime, processor, inbox, clock = await _world(telegram, failures=99)
    try:
        first = await _store(telegram, inbox, clock, "/start")
        await _store(telegram, inbox, clock, "/help")

        with capture_logs() as logs:
            for _ in range(3):
                assert await _attempt(processor) == 1
                clock.advance(seconds=10)
            assert await _attempt(processor) == 1  # the chat goes on: /help

        texts = _texts(telegram)
        assert texts[0] == "Sorry, something went wrong on our side. Please try again in a minute."
        assert len(texts) == 2 and "/catalog" in texts[1]
        assert inbox.s.inbox[first].state == "failed"
        assert [e["update_id"] for e in logs if e["event"] == "update_failed"] == [first]  # logged once
    finally:
        await runtime.stop()
