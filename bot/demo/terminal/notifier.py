"""`domain.ports.Notifier` for the demo: an outbox message becomes a chat message on the terminal."""

from __future__ import annotations

from typing import Any, Protocol

from handlers.kernel.reply import Reply

__all__ = ["Screen", "TerminalNotifier"]


class Screen(Protocol):
    def show(self, chat_id: int, reply: Reply, *, edit_of: int | None = None) -> int | None:
        """Draw `reply` in chat `chat_id`; the message id, None when no persona owns that chat."""


class TerminalNotifier:
    """What the outbox relay delivers through, in place of the Bot API."""

    def __init__(self, screen: Screen) -> None:
        self._screen = screen

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        reply = Reply.from_payload(payload, chat_id)
        return self._screen.show(chat_id, reply, edit_of=reply.edit_message_id)
