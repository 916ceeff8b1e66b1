from bot.flood_control import FloodControl
from tests.fakes.timer import ManualTime


def _flood(time: ManualTime, **overrides) -> FloodControl:
    limits = {"per_second": 30, "private_per_second": 1, "group_per_minute": 20} | overrides
    return FloodControl(**limits, monotonic=time.monotonic, sleep=time.sleep)


async def test_private_chat_gets_one_message_per_second():
    time = ManualTime()
    flood = _flood(time)
    sent_at = []
    for _ in range(5):
        await flood.acquire(42)
        sent_at.append(time.monotonic())
    assert [round(b - a, 6) for a, b in zip(sent_at, sent_at[1:], strict=False)] == [1.0] * 4


async def test_group_chat_gets_twenty_messages_per_minute():
    time = ManualTime()
    flood = _flood(time)
    for _ in range(21):
        await flood.acquire(-100)
    assert time.monotonic() >= 60.0


async def test_whole_bot_stays_under_thirty_messages_per_second():
    time = ManualTime()
    flood = _flood(time)
    for chat in range(1, 301):
        await flood.acquire(chat)
    assert time.monotonic() >= 299 / 30


async def test_a_pause_holds_one_chat_and_not_the_others():
    time = ManualTime()
    flood = _flood(time)
    flood.pause(42, 10)
    assert flood.delay(42) == 10
    assert flood.delay(43) == 0


async def test_a_whole_bot_pause_holds_every_chat():
    time = ManualTime()
    flood = _flood(time)
    flood.pause(42, 7, whole_bot=True)
    assert flood.delay(43) == 7


async def test_a_shop_meeting_new_customers_all_day_keeps_limits_only_for_the_latest():
    """A bucket per chat ever messaged grew to 10,000 before any was dropped (up to about 3 MiB of the bot's
    memory); a chat messaged over a second ago limits nothing and is forgotten."""
    time = ManualTime()
    flood = _flood(time, per_second=10_000)
    for chat in range(1, 2001):  # a new customer every 10 ms, for 20 seconds
        await flood.acquire(chat)
        await time.sleep(0.01)
    assert flood.tracked() <= 2 * FloodControl.PRUNE_AT_LEAST
    await flood.acquire(2000)  # a chat still within its second keeps its limit
    assert time.monotonic() >= 20.0 + 0.99
