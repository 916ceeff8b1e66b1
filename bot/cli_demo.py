"""`shopbot demo`: the whole shop in a terminal, no Telegram needed.

shopbot demo                          chat as the customer; `/as merchant` to run the shop
shopbot demo --script examples/demo_script.txt    replay a story and print the transcript
shopbot demo --db demo.db             keep the shop between runs
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

__all__ = ["demo"]

_SCRIPT = typer.Option(None, "--script", help="Replay this file of typed lines and print the transcript.")
_DB = typer.Option(None, "--db", help="Keep the demo shop in this SQLite file (default: a temporary one).")
_TICK = typer.Option(
    3.0, "--tick-seconds", help="Interactive: run the scheduled jobs this often (0: only on /tick)."
)
_CATALOG = typer.Option(
    None, "--catalog", help="Catalog CSV to load into a new shop (default: the bundled one)."
)

_BANNER = """\
shopbot demo — the whole shop in your terminal. Payments are SANDBOX — no real money.
You are the customer, Alice. Type /start to begin, /demo for demo commands, /quit to leave.
"""


def demo(
    script: Path | None = _SCRIPT,
    db: Path | None = _DB,
    tick_seconds: float = _TICK,
    catalog: Path | None = _CATALOG,
) -> None:
    """Play the shop in the terminal as its customer and its merchant, on a throwaway database."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    lines = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            typer.echo(f"cannot read the script {script}: {exc.strerror}", err=True)
            raise typer.Exit(2) from exc
    failures = asyncio.run(_run(lines, db, tick_seconds, catalog))
    if failures:
        typer.echo(f"{failures} expectation(s) of the script were not met", err=True)
        raise typer.Exit(1)


async def _run(lines: list[str] | None, db: Path | None, tick_seconds: float, catalog: Path | None) -> int:
    from bot.demo_clock import FastClock
    from bot.demo_personas import CUSTOMER, MERCHANT
    from bot.demo_session import Transcript, interact, replay
    from bot.demo_shop import BUNDLED_CATALOG, DemoShop
    from bot.terminal_runtime import TerminalRuntime
    from domain.clock import FixedClock

    transcript = Transcript()
    runtime = TerminalRuntime(None, [CUSTOMER, MERCHANT], write=transcript.write)
    # A replay moves time only on /tick, so a transcript reads the same on every run.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0)) if lines is not None else FastClock()
    shop = await DemoShop.open(runtime.notifier, clock, db=db, catalog=catalog or BUNDLED_CATALOG)
    runtime.connect(shop.handler, shop)
    try:
        for line in _BANNER.splitlines():
            transcript.write(line)
        if lines is not None:
            return await replay(runtime, transcript, lines)
        background = None
        if tick_seconds > 0:

            async def background() -> None:
                while True:
                    await asyncio.sleep(tick_seconds)
                    for line in await shop.run_jobs():
                        transcript.write(f"·· {line}")
                    await shop.settle()

        await interact(runtime, transcript, background)
        return 0
    finally:
        await shop.close()
