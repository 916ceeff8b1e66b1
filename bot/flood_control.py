"""Token buckets for Telegram's flood limits, with the clock and sleep injected (tests never sleep).

Telegram documents roughly 30 messages per second overall, one per second to a private chat and 20 per
minute to a group (negative chat id). Buckets hold one token by default, so sends are spaced evenly
rather than bursting at the start of each second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["TokenBucket", "FloodControl"]

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_EPSILON = 1e-6  # a token short by less than this is a whole one (clocks tick in microseconds)


class TokenBucket:
    __slots__ = ("rate", "capacity", "_tokens", "_at")  # one per chat that got a message lately

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._at = now

    def _refill(self, now: float) -> None:
        if now > self._at:
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
            self._at = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        self._refill(now)
        missing = 1 - self._tokens
        return 0.0 if missing <= _EPSILON else missing / self.rate

    def take(self, now: float) -> None:
        """Use a token; sends that did not wait for one put the bucket in debt, of at most a second."""
        self._refill(now)
        self._tokens = max(self._tokens - 1, -self.rate)

    def is_full(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self.capacity


class FloodControl:
    """Global and per-chat limits plus pauses a 429 asked for (`pause`)."""

    MAX_TRACKED_CHATS = 10_000
    PRUNE_AT_LEAST = 256  # chats tracked before full buckets are dropped

    def __init__(
        self,
        *,
        per_second: float,
        private_per_second: float,
        group_per_minute: float,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._monotonic = monotonic
        self._sleep = sleep
        self._private_rate = private_per_second
        self._group_rate = group_per_minute / 60
        self._global = TokenBucket(per_second, 1, monotonic())
        self._chats: dict[int, TokenBucket] = {}
        self._prune_at = self.PRUNE_AT_LEAST
        self._paused_until: dict[int | None, float] = {}  # None: the whole bot

    def _chat(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= self._prune_at:
                self._prune(now)
            rate = self._group_rate if chat_id < 0 else self._private_rate
            bucket = self._chats[chat_id] = TokenBucket(rate, 1, now)
        return bucket

    def _prune(self, now: float) -> None:
        """Forget the chats whose bucket is full again (a private chat's within a second of its last
        message): a full bucket limits nothing, and a shop meets new customers all day. The next prune
        waits until the chats still tracked have doubled, so a busy bot does not prune at every message."""
        self._chats = {cid: b for cid, b in self._chats.items() if not b.is_full(now)}
        self._prune_at = min(max(self.PRUNE_AT_LEAST, 2 * len(self._chats)), self.MAX_TRACKED_CHATS)

    def tracked(self) -> int:
        """How many chats' buckets are kept (full ones are dropped from time to time)."""
        return len(self._chats)

    def delay(self, chat_id: int) -> float:
        """Seconds before a message to `chat_id` may go out."""
        now = self._monotonic()
        return max(self.paused(chat_id), self._chat(chat_id, now).wait_time(now), self._global.wait_time(now))

    def paused(self, chat_id: int) -> float:
        """Seconds left of a pause a 429 asked for (this chat's or the whole bot's); 0 when none."""
        now = self._monotonic()
        until = max(self._paused_until.get(None, 0.0), self._paused_until.get(chat_id, 0.0))
        return max(until - now, 0.0)

    def count(self, chat_id: int) -> None:
        """Count a message sent without waiting (a reply right after its turn): later sends wait for it."""
        now = self._monotonic()
        self._global.take(now)
        self._chat(chat_id, now).take(now)

    async def acquire(self, chat_id: int) -> None:
        """Wait (through the injected sleep) until a message to `chat_id` may go out, and count it."""
        while (wait := self.delay(chat_id)) > 0:
            await self._sleep(wait)
        self.count(chat_id)

    def pause(self, chat_id: int, seconds: float, *, whole_bot: bool = False) -> None:
        key = None if whole_bot else chat_id
        until = self._monotonic() + max(seconds, 0.0)
        self._paused_until[key] = max(self._paused_until.get(key, 0.0), until)
