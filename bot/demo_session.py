"""Driving a terminal runtime: interactively from the keyboard, or replaying a script as a transcript.

A script is what a user would type, one line each, plus two kinds of line for the reader and for tests:
`# text` is narration, copied into the transcript; `/expect text` checks that `text` (any case) appeared
in what the previous input produced, and the replay fails when it did not.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import TextIO

from bot.terminal_runtime import TerminalRuntime

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
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            if transcript.since_input:  # narration starts a paragraph
                transcript.write("")
                transcript.since_input.clear()
            transcript.write(text)
            continue
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


async def interact(
    runtime: TerminalRuntime,
    transcript: Transcript,
    background: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Read lines from the keyboard until /quit or end of input; `background` runs meanwhile."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(background()) if background else None
    try:
        while True:
            prompt = runtime.prompt
            transcript.awaiting_input = prompt
            try:
                text = await loop.run_in_executor(None, input, prompt)
            except EOFError:
                break
            finally:
                transcript.awaiting_input = ""
            transcript.since_input.clear()
            if not await runtime.submit(text):
                break
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
