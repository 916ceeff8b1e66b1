"""One persona's chat on the terminal: its numbered buttons and the messages waiting while it is away.

Numbering: the first message with buttons after the user's input starts the keypad again at 1; later
messages of the same turn continue the count, so every button on screen since the last input has its own
number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.demo_personas import Persona
from handlers.reply import Reply

__all__ = ["Key", "ChatScreen"]


@dataclass(slots=True)
class Key:
    label: str
    press: Callable[[], Awaitable[None]]


@dataclass(slots=True)
class ChatScreen:
    persona: Persona
    keys: list[Key] = field(default_factory=list)
    fresh: bool = True  # the next message with buttons starts a new keypad
    unread: list[tuple[Reply, int, bool]] = field(default_factory=list)  # (reply, message id, edited)

    def add_keys(self, keys: list[Key]) -> int:
        """Number `keys` after those on screen (or from 1 after an input); returns the first number."""
        if keys and self.fresh:
            self.keys.clear()
            self.fresh = False
        first = len(self.keys) + 1
        self.keys.extend(keys)
        return first

    def replace_keys(self, keys: list[Key]) -> None:
        self.keys = list(keys)
        self.fresh = False

    def by_number(self, number: int) -> Key | None:
        return self.keys[number - 1] if 1 <= number <= len(self.keys) else None

    def by_label(self, text: str) -> Key | None:
        """The button labelled `text` (any case), else the only one whose label contains it."""
        wanted = text.casefold()
        exact = [k for k in self.keys if k.label.casefold() == wanted]
        if exact:
            return exact[-1]
        partial = [k for k in self.keys if wanted in k.label.casefold()]
        return partial[0] if len(partial) == 1 else None
