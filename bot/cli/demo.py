"""`shopbot demo`: the whole shop in a terminal, no Telegram needed.

shopbot demo                          chat as the customer; `/as merchant` to run the shop
shopbot demo --script examples/demo_script.txt    replay a story and print the transcript
shopbot demo --db demo.db             keep the shop between runs
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from pydantic import ValidationError

from bot.cli.catalog import read_catalog
from bot.cli.output import fail
from bot.cli.preflight import settings_problems
from bot.observability.logs import configure_logging

__all__ = ["demo", "BUNDLED_CATALOG"]

BUNDLED_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"

_FILE = click.Path(dir_okay=False, path_type=Path)

_BANNER = """\
shopbot demo — the whole shop in your terminal. Payments are SANDBOX — no real money.
You are the customer, Alice. Type /start to begin, /demo for demo commands, /quit to leave.
"""


@click.command()
@click.option("--script", type=_FILE, help="Replay this file of typed lines and print the transcript.")
@click.option("--db", type=_FILE, help="Keep the demo shop in this SQLite file (default: a temporary one).")
@click.option(
    "--jobs/--no-jobs",
    default=True,
    show_default=True,
    help="Interactive: run the scheduler and relay on their own (else only on /tick).",
)
@click.option("--catalog", type=_FILE, help="Catalog CSV to load into a new shop (default: the bundled one).")
def demo(script: Path | None, db: Path | None, jobs: bool, catalog: Path | None) -> None:
    """Play the shop in the terminal as its customer and its merchant, on a throwaway database."""
    configure_logging("WARNING")  # the chat is on stdout; only problems go to stderr
    lines = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise fail(f"cannot read the script {script}: {exc.strerror}") from exc
    if db is not None and not db.parent.is_dir():
        raise fail(f"no folder {db.parent} for the database: create it or choose another --db")
    catalog = catalog or BUNDLED_CATALOG
    if not catalog.is_file():
        raise fail(f"no catalog at {catalog}: pass --catalog FILE, a CSV like examples/catalog.csv")
    _check(catalog)
    try:
        failures = asyncio.run(_run(lines, db, jobs, catalog))
    except KeyboardInterrupt:
        raise fail("\nbye", 130) from None
    if failures:
        raise fail(f"{failures} expectation(s) of the script were not met", 1)


def _check(catalog: Path) -> None:
    """The settings the demo takes from the environment, and the catalog file, before the shop opens."""
    from bot.demo.shop import demo_settings

    try:
        settings = demo_settings("sqlite+aiosqlite:///demo.db")
    except ValidationError as exc:
        for line in settings_problems(exc):
            click.echo(line, err=True)
        raise SystemExit(2) from None
    read_catalog(catalog, settings.currency)


async def _run(lines: list[str] | None, db: Path | None, jobs: bool, catalog: Path) -> int:
    from bot.clock import UtcClock
    from bot.demo.clock import FastClock
    from bot.demo.miniapp import DemoMiniApp
    from bot.demo.personas import CUSTOMER, MERCHANT, WANG
    from bot.demo.session import Transcript, interact, replay
    from bot.demo.shop import DemoShop
    from bot.demo.terminal.runtime import TerminalRuntime
    from domain.clock import FixedClock

    transcript = Transcript()
    runtime = TerminalRuntime(None, [CUSTOMER, MERCHANT, WANG], write=transcript.write)
    # A replay moves time only on /tick, so a transcript reads the same on every run.
    clock = FixedClock(UtcClock().now().replace(microsecond=0)) if lines is not None else FastClock()
    shop = await DemoShop.open(runtime.notifier, clock, db=db, catalog=catalog)
    runtime.connect(shop.handler, shop)
    try:
        for line in _BANNER.splitlines():
            transcript.write(line)
        if lines is not None:
            return await replay(runtime, transcript, lines)
        if jobs:
            shop.start_background()
        app = await DemoMiniApp.start(
            shop.handler, shop.uow_factory, shop.settings, clock, engine=shop.engine
        )
        try:
            for line in app.lines():
                transcript.write(line)
            await interact(runtime, transcript)
        finally:
            await app.stop()
        return 0
    finally:
        await shop.close()
