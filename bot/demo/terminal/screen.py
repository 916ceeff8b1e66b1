"""One persona's chat on the terminal: its numbered buttons and the messages waiting while it is away.

Numbering: the first message with buttons after the user's input starts the keypad again at 1; later
messages of the same turn continue the count, so every button on screen since the last input has its own
number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.demo.personas import Persona
from handlers.kernel.reply import Reply

__all__ = ["Key", "ChatScreen"]


@dataclass(slots=True)
class Key:
    label: str
    press: Callable[[], Awaitable[object]]


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
        """The button labelled `text` (any case, emoji aside), else the only one whose label starts with
        it, else the only one containing it."""
        wanted = _plain(text)
        if not wanted:
            return None
        labels = [(_plain(k.label), k) for k in self.keys]
        for match in (str.__eq__, str.startswith, str.__contains__):
            hits = [key for label, key in labels if match(label, wanted)]
            if len(hits) == 1 or (hits and match is str.__eq__):
                return hits[-1]
            if hits:
                return None
        return None


def _plain(label: str) -> str:
    """ "🛒 Cart" -> "cart": case folded, without the symbols around the words."""
    folded = label.casefold()
    start = next((i for i, ch in enumerate(folded) if ch.isalnum()), len(folded))
    end = next((i for i in range(len(folded), 0, -1) if folded[i - 1].isalnum()), 0)
    return folded[start:end] if start < end else folded.strip()
