"""A turn's replies go out the moment its unit of work is committed, from the outbox rows written with it.

The customer handler writes each reply to the outbox in the turn's transaction, held for this process
(`handlers.kernel.notifications.queue_replies`). This wrapper around it hands those rows to the relay's
delivery right away (`OutboxRelay.send_now`: same notifier, same flood control, same settling), so a
reply costs no added latency, a 429 or 5xx leaves it for the relay to retry when Telegram allows, and
a crash between commit and send leaves it held by a process that is gone: the relay takes it next.
The merchant's chart and an /export CSV go the same way (their bytes base64 in the payload). The runtime
is left what the outbox cannot carry: the button's toast and a pre-checkout answer (Telegram takes them
only within seconds of the press: a retry later would be refused), and an upload over
`handlers.kernel.reply.MAX_UPLOAD`.

handler = ExpressReplies(shop.handler, relay)     # an EventHandler, given to the Telegram runtime
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from bot.background.outbox_relay import OutboxRelay
from domain.clock import Clock
from domain.outbox import OutboxMessage
from handlers.kernel.incoming import EventHandler, Incoming
from handlers.kernel.reply import Outcome

__all__ = ["ExpressReplies"]

log = structlog.get_logger("shopbot.replies")


class ExpressReplies:
    def __init__(self, handler: EventHandler, relay: OutboxRelay, clock: Clock) -> None:
        self._handler = handler
        self._relay = relay
        self._clock = clock

    async def __call__(self, event: Incoming) -> Outcome:
        outcome = await self._handler(event)
        queued = [reply for reply in outcome.replies if reply.outbox_id is not None]
        if not queued:
            return outcome
        now = self._clock.now()
        messages = [
            OutboxMessage(reply.chat_id or event.chat_id, reply.to_payload(), now, id=reply.outbox_id)
            for reply in queued
        ]
        try:
            await self._relay.send_now(messages)
        except Exception:  # the rows stay in the outbox; the relay sends them when their hold ends
            log.exception("express_replies_failed", update_id=event.update_id)
        direct = [reply for reply in outcome.replies if reply.outbox_id is None]
        return replace(outcome, replies=direct)
