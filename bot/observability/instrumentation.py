"""A wrapper around the `EventHandler` that counts, times and logs every update it handles.

handler = InstrumentedHandler(shop_app, metrics)      # what a runtime is given

Log lines emitted while an update is handled carry its `update_id` (structlog context variables).
Whoever feeds an update through a runtime can ask whether the handler failed on it, although the runtime
swallows the error to answer the user: `with observe_handling() as attempt: ...; attempt.failed`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import structlog

from bot.observability.metrics import Metrics
from handlers.kernel.incoming import EventHandler, Incoming, Kind
from handlers.kernel.reply import Outcome

__all__ = ["InstrumentedHandler", "HandlingAttempt", "observe_handling"]

log = structlog.get_logger("shopbot.updates")


@dataclass
class HandlingAttempt:
    failed: bool = False


_attempt: ContextVar[HandlingAttempt | None] = ContextVar("shopbot_handling_attempt", default=None)


@contextmanager
def observe_handling() -> Iterator[HandlingAttempt]:
    attempt = HandlingAttempt()
    token = _attempt.set(attempt)
    try:
        yield attempt
    finally:
        _attempt.reset(token)


class InstrumentedHandler:
    def __init__(self, handler: EventHandler, metrics: Metrics) -> None:
        self._handler = handler
        self._metrics = metrics

    async def __call__(self, event: Incoming) -> Outcome:
        kind = str(event.kind)
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(update_id=event.update_id):
            try:
                outcome = await self._handler(event)
            except Exception:
                self._metrics.updates.labels(kind, "error").inc()
                if (attempt := _attempt.get()) is not None:
                    attempt.failed = True
                raise
            finally:
                elapsed = time.perf_counter() - started
                self._metrics.handler_latency.labels(kind).observe(elapsed)
            self._metrics.updates.labels(kind, "ok").inc()
            self._count_payment(event, outcome)
            log.info("update_handled", kind=kind, replies=len(outcome.replies), ms=round(elapsed * 1000, 1))
        return outcome

    def _count_payment(self, event: Incoming, outcome: Outcome) -> None:
        """Telegram payments: a pre-checkout query is an attempt; a successful_payment handled, a success."""
        if event.kind is Kind.PRECHECKOUT:
            self._metrics.payment_attempts.labels("telegram").inc()
        elif event.kind is Kind.PAYMENT:
            self._metrics.payment_successes.labels("telegram").inc()
