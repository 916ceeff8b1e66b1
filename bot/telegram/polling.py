"""Long polling into the durable inbox: `getUpdates`, store the batch, and only then confirm it.

Telegram forgets updates once a `getUpdates` call names a higher `offset`. The poller asks for the next
batch (which confirms the last) only after the last batch is committed to the inbox, so a crash at any
moment leaves every update either in the inbox or still at Telegram. Handling is the inbox processor's
business, exactly as in webhook mode: one pipeline for both. An update the inbox must not keep (ids
beyond 64 bits, nested too deep, or so deep the batch does not parse) is refused once, logged without its
content, and confirmed by the next offset: what webhook mode answers 4xx.

poller = InboxPoller(connection, inbox, clock, on_stored=processor.wake)
await poller.start()      # deletes a webhook (getUpdates and a webhook exclude each other), then polls
...
await poller.stop()       # the long poll in hand is dropped: its updates come again next start
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import structlog

from bot.observability.scrubbing import quiet_http_loggers
from bot.telegram.connection import TelegramConnection
from bot.telegram.updates import ALLOWED_UPDATES
from bot.telegram.webhook import chat_of, out_of_bounds
from domain.clock import Clock
from domain.ports import Inbox

__all__ = ["InboxPoller"]

log = structlog.get_logger("shopbot.polling")

_BATCH = 100  # the most getUpdates hands out at once
_BACKOFF_MAX_SECONDS = 30.0


class InboxPoller:
    def __init__(
        self,
        connection: TelegramConnection,
        inbox: Inbox,
        clock: Clock,
        *,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        quiet_http_loggers()  # request URLs carry the token
        self._timeout = connection.poll_timeout
        self._client = httpx.AsyncClient(
            base_url=f"{connection.api_url}/bot{connection.token}/", timeout=connection.poll_timeout + 10
        )
        self._inbox = inbox
        self._clock = clock
        self._on_stored = on_stored
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None

    async def start(self) -> None:
        await self._call("deleteWebhook", {"drop_pending_updates": False})
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def poll_once(self) -> int:
        """One long poll; the batch is in the inbox when this returns. Returns how many updates came."""
        params: dict[str, Any] = {
            "timeout": self._timeout,
            "limit": _BATCH,
            "allowed_updates": ALLOWED_UPDATES,
        }
        if self.offset is not None:
            params["offset"] = self.offset
        try:
            updates = await self._call("getUpdates", params)
        except _TooDeep:  # one update of the batch is nested deeper than any parser goes
            updates = await self._one_at_a_time(params)
        if not updates:
            return 0
        now = self._clock.now()
        ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
        batch = [(u["update_id"], chat_of(u), u) for u in updates if _storable(u)]
        stored = await self._inbox.store_many(batch, now) if batch else 0
        if ids:
            self.offset = max(ids) + 1  # confirmed by the next call; a refused update is not asked again
        log.info("updates_received", count=len(batch), new=stored)
        if stored:
            self._on_stored()
        return len(batch)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self.poll_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram or the database away: try again, the batch is not confirmed
                failures += 1
                delay = min(2.0 ** (failures - 1), _BACKOFF_MAX_SECONDS)
                log.warning("polling_failed", error=type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)

    async def _one_at_a_time(self, params: dict[str, Any]) -> list[Any]:
        """The batch again, its first update alone: returned when it reads, else refused once (logged
        without its content) and confirmed by moving the offset past it, as a webhook answers it 400."""
        try:
            return list(await self._call("getUpdates", {**params, "limit": 1, "timeout": 0}))
        except _TooDeep as too_deep:
            found = _UPDATE_ID.search(too_deep.body)  # update_id leads each update; the parser gave up
            if found is None:
                raise
            self.offset = int(found.group(1)) + 1
            log.warning("update_refused", reason="nested too deep", update_id=int(found.group(1)))
            return []

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        response = await self._client.post(method, json=params)
        try:
            body = json.loads(response.text)
        except RecursionError:
            raise _TooDeep(response.text) from None
        if not body.get("ok"):
            raise RuntimeError(f"{method}: HTTP {response.status_code} {body.get('description', '')}")
        return body["result"]


class _TooDeep(Exception):
    """A getUpdates answer nested deeper than the JSON parser goes (a hostile or broken update)."""

    def __init__(self, body: str) -> None:
        super().__init__("getUpdates answer nested too deep")
        self.body = body


_UPDATE_ID = re.compile(r'"update_id"\s*:\s*(\d{1,19})')


def _storable(update: dict[str, Any]) -> bool:
    """An update the inbox can keep: not one with ids beyond 64 bits (the database would refuse it on
    every retry, and polling would never get past it)."""
    problem = out_of_bounds(update) if isinstance(update.get("update_id"), int) else "no update_id"
    if problem:
        log.warning("update_refused", reason=problem)
    return not problem
