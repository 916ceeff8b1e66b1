"""What a line typed into the demo means: a message for the bot, a button press, or a demo command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["LineKind", "Line", "parse_line", "DEMO_HELP"]

DEMO_HELP = """\
demo commands (everything else goes to the bot):
  1, 2, …            press the button with that number
  [Add to cart]      press a button by (part of) its label
  /contact [+phone]  share your phone number (the persona's own when none is given)
  /as merchant       become the merchant; /as customer to come back
  /tick [n]          advance the fast clock: parcels move, scheduled jobs run
  /say TEXT          send TEXT as it is (e.g. a number that is also a button number)
  /demo              this help;  /quit  leave"""

_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL)
_MAX_TICKS = 50


class LineKind(StrEnum):
    EMPTY = "empty"
    TEXT = "text"
    COMMAND = "command"  # a bot command: `command` without "/", `arg` the rest
    PRESS = "press"  # `command` "number" or "label", `arg` the number or label
    CONTACT = "contact"  # `arg` the phone, empty for the persona's own
    SWITCH = "switch"  # `arg` the persona name
    TICK = "tick"  # `count` steps
    HELP = "help"
    QUIT = "quit"


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    arg: str = ""
    command: str = ""
    count: int = 1


def parse_line(raw: str) -> Line:
    text = raw.strip()
    if not text:
        return Line(LineKind.EMPTY)
    if text.isdigit() and len(text) <= 3:
        return Line(LineKind.PRESS, arg=text, command="number")
    if text.startswith("[") and text.endswith("]") and len(text) > 2:
        return Line(LineKind.PRESS, arg=text[1:-1].strip(), command="label")
    match = _COMMAND_RE.match(text)
    if match is None:
        return Line(LineKind.TEXT, arg=text)
    command, rest = match.group(1).lower(), (match.group(2) or "").strip()
    if command in ("quit", "exit"):
        return Line(LineKind.QUIT)
    if command == "demo":
        return Line(LineKind.HELP)
    if command == "as":
        return Line(LineKind.SWITCH, arg=rest)
    if command == "say":
        return Line(LineKind.TEXT, arg=rest) if rest else Line(LineKind.EMPTY)
    if command == "contact":
        return Line(LineKind.CONTACT, arg=rest)
    if command == "tick":
        count = int(rest) if rest.isdigit() else 1
        return Line(LineKind.TICK, count=max(1, min(count, _MAX_TICKS)))
    return Line(LineKind.COMMAND, arg=rest, command=command)
