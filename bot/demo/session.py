"""Driving a terminal runtime: interactively from the keyboard, or replaying a script as a transcript.

A script is what a user would type, one line each, plus two kinds of line for the reader and for tests:
`# text` is narration, copied into the transcript; `/expect text` checks that `text` (any case) appeared
in what the previous input produced, and the replay fails when it did not.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterable
from typing import TextIO

from bot.demo.terminal.runtime import TerminalRuntime

__all__ = ["Transcript", "replay", "interact"]


class Transcript:
    """Where the runtime writes: the terminal, plus a memory of what the last input produced."""

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self.since_input: list[str] = []
        self.awaiting_input = ""  # the prompt on screen while waiting for the keyboard

    def write(self, line: str) -> None:
        if self.awaiting_input:  # a message arrived while the user is typing: keep the prompt last
            self._out.write("\r\x1b[2K")
        self._out.write(line + "\n")
        if self.awaiting_input:
            self._out.write(self.awaiting_input)
        self._out.flush()
        self.since_input.append(line)

    def saw(self, text: str) -> bool:
        wanted = text.casefold()
        return any(wanted in line.casefold() for line in self.since_input)


async def replay(runtime: TerminalRuntime, transcript: Transcript, lines: Iterable[str]) -> int:
    """Play `lines` as typed input; returns how many `/expect` checks failed."""
    failures = 0
    narrating, paragraph = False, True  # after the banner, the script's first narration is a paragraph
    for raw in lines:
        text = raw.strip()
        if not text:
            paragraph = True  # a blank line in the script separates narration paragraphs
            continue
        if text.startswith("#"):
            if paragraph or not narrating:
                transcript.write("")
            narrating, paragraph = True, False
            transcript.write(text)
            continue
        narrating = paragraph = False
        if text.startswith("/expect "):
            wanted = text.removeprefix("/expect ").strip()
            if not transcript.saw(wanted):
                failures += 1
                transcript.write(f"·· EXPECTED {wanted!r} but it did not appear")
            continue
        transcript.write(f"{runtime.prompt}{text}")
        transcript.since_input.clear()
        if not await runtime.submit(text):
            break
    return failures


async def interact(runtime: TerminalRuntime, transcript: Transcript) -> None:
    """Read lines from the keyboard until /quit or end of input."""
    while True:
        prompt = runtime.prompt
        transcript.awaiting_input = prompt
        try:
            text = await _read_line(prompt)
        except EOFError:
            transcript.awaiting_input = ""
            transcript.write("")  # leave the terminal on a fresh line
            break
        finally:
            transcript.awaiting_input = ""
        transcript.since_input.clear()
        if not await runtime.submit(text):
            break


async def _read_line(prompt: str) -> str:
    """`input(prompt)` without blocking the loop. A daemon thread, so that Ctrl-C while it waits for the
    keyboard ends the demo at once (an executor thread would hold the exit until Enter is pressed)."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            line = input(prompt)
        except BaseException as exc:  # EOFError, or the interpreter going down
            loop.call_soon_threadsafe(_settle, answer, None, exc)
        else:
            loop.call_soon_threadsafe(_settle, answer, line, None)

    threading.Thread(target=read, name="demo-keyboard", daemon=True).start()
    return await answer


def _settle(answer: asyncio.Future[str], line: str | None, exc: BaseException | None) -> None:
    if answer.done():
        return
    if exc is not None:
        answer.set_exception(exc if isinstance(exc, Exception) else EOFError())
    else:
        answer.set_result(line or "")
