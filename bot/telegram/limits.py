"""Telegram's length limits on what a reply shows: 4096 for a message text, 1024 for a photo caption.

Telegram refuses a longer text outright ("message is too long"), so the customer would see nothing. A
reply past the limit keeps its opening lines (what it is) and its closing lines (totals, what to do next),
and the lines between give way to "…". Lengths are counted as Telegram counts them, in UTF-16 code units.
"""

from __future__ import annotations

__all__ = ["TEXT_LIMIT", "CAPTION_LIMIT", "fit"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
GAP = "…"
_SHOWN = 40  # a line cut shorter than this says too little to be worth showing
_PARAGRAPH = 200  # longer lines are prose (a description), cut where the room ends; list lines are whole


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, room: int) -> str:
    """The start of `line` and "…", within `room`."""
    cut = line[: max(room - 1, 0)]
    while cut and _units(cut) > room - _units(GAP):
        cut = cut[:-1]
    return cut + GAP


def _used(lines: list[str]) -> int:
    """Units taken by `lines` and the newline after them (none when empty)."""
    return _units("\n".join(lines)) + 1 if lines else 0


def fit(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` unchanged when Telegram takes it; else its head and tail around a "…", within `limit`."""
    if _units(text) <= limit:
        return text
    lines = text.split("\n")
    tail: list[str] = []
    while len(lines) > 1 and _units("\n".join([lines[-1], *tail])) <= limit // 3:
        tail.insert(0, lines.pop())
    after = _units("\n".join(tail)) + 1 if tail else 0  # the tail and the newline before it
    head: list[str] = []
    while lines and _used([*head, lines[0]]) + _units(GAP) + after <= limit:
        head.append(lines.pop(0))
    left = limit - _used(head) - after
    if not head or (_units(lines[0]) > _PARAGRAPH and left >= _SHOWN):  # a paragraph: show what fits
        return "\n".join([*head, _cut(lines[0], left), *tail])
    return "\n".join([*head, GAP, *tail])
