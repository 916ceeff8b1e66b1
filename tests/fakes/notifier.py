"""A Telegram-like `Notifier` for unit tests: records what reached each chat and, like Telegram,
answers 429 when a chat or the bot goes over its rate, and 403 for chats that blocked the bot."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from domain.errors import DeliveryFailed, RecipientBlocked, RetryLater

__all__ = ["FakeTelegram"]


class FakeTelegram:
    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        global_per_second: int = 30,
        private_per_second: int = 1,
        retry_after: float = 3.0,
    ) -> None:
        self._monotonic = monotonic
        self._global_limit = global_per_second
        self._private_limit = private_per_second
        self.retry_after = retry_after
        self.received: dict[int, list[str]] = defaultdict(list)
        self.blocked: set[int] = set()
        self.failures: dict[int, deque[Exception]] = defaultdict(deque)  # scripted errors per chat
        self.too_many = 0
        self._recent: deque[float] = deque()
        self._recent_chat: dict[int, deque[float]] = defaultdict(deque)
        self._next_id = 1

    def texts(self, chat_id: int) -> list[str]:
        return self.received[chat_id]

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.received.values())

    def _over(self, window: deque[float], limit: int, now: float) -> bool:
        while window and window[0] <= now - 1.0 + 1e-5:  # microsecond clock ticks
            window.popleft()
        return len(window) >= limit

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        if self.failures[chat_id]:
            raise self.failures[chat_id].popleft()
        if chat_id in self.blocked:
            raise RecipientBlocked("Forbidden: bot was blocked by the user")
        if not payload.get("text"):
            raise DeliveryFailed("Bad Request: message text is empty", permanent=True)
        now = self._monotonic()
        chat_window = self._recent_chat[chat_id]
        if self._over(self._recent, self._global_limit, now) or (
            chat_id > 0 and self._over(chat_window, self._private_limit, now)
        ):
            self.too_many += 1
            raise RetryLater(self.retry_after)
        self._recent.append(now)
        chat_window.append(now)
        self.received[chat_id].append(payload["text"])
        self._next_id += 1
        return self._next_id
