"""Long polling stores what the inbox can keep and never sticks on an update it cannot."""

from __future__ import annotations

from structlog.testing import capture_logs

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


def _nested(depth: int) -> str:
    """A message whose text would be read, carrying an array nested `depth` deep."""
    start = '{"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "my secret address"'
    return start + ', "entities": ' + "[" * depth + "]" * depth + "}"


async def test_an_update_nested_50000_deep_is_refused_once_the_offset_moves_past_and_nothing_changes(
    telegram, connection
):
    """Webhook mode answers it 400; long polling used to fail on the whole batch and retry it forever."""
    state = MemoryState()
    poller = InboxPoller(connection, FakeInbox(state), FixedClock())
    try:
        before = await telegram.user_message(5, text="first")
        deep = await telegram.push_raw_update("message", _nested(50_000))
        after = await telegram.user_message(5, text="hello")
        with capture_logs() as logs:
            polled = [await poller.poll_once() for _ in range(3)]
        assert polled == [1, 0, 1]  # the one before it alone, then it refused, then the rest
        assert list(state.inbox) == [before["update_id"], after["update_id"]]
        assert poller.offset == after["update_id"] + 1
        refused = [entry for entry in logs if entry["event"] == "update_refused"]
        assert refused == [
            {
                "event": "update_refused",
                "reason": "nested too deep",
                "update_id": deep,
                "log_level": "warning",
            }
        ]
        assert "secret" not in str(logs)  # logged without its content
        assert await poller.poll_once() == 0 and telegram.pending_updates() == 0  # confirmed: not again
    finally:
        await poller.stop()
