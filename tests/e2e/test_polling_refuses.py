"""Long polling stores what the inbox can keep and never sticks on an update it cannot."""

from __future__ import annotations

from bot.telegram.polling import InboxPoller
from domain.clock import FixedClock
from tests.fakes.memory import FakeInbox, MemoryState


async def test_an_update_with_ids_beyond_64_bits_is_skipped_and_polling_goes_on(telegram, connection):
    state = MemoryState()
    poller = InboxPoller(connection, FakeInbox(state), FixedClock())
    try:
        huge = {"message_id": 1, "date": 0, "chat": {"id": 2**64, "type": "private"}, "text": "hi"}
        await telegram.push_update("message", huge)
        good = await telegram.user_message(5, text="hello")
        assert await poller.poll_once() == 1
        assert list(state.inbox) == [good["update_id"]]
        assert poller.offset == good["update_id"] + 1  # confirmed: Telegram will not hand it out again
    finally:
        await poller.stop()
