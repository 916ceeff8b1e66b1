"""`shopbot` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot.cli import catalog as cli_catalog
from bot.cli import config as cli_config
from bot.cli import db as cli_db
from bot.cli import demo as cli_demo
from bot.cli import report as cli_report
from bot.cli import run as cli_run
from bot.cli import webhook as cli_webhook
from bot.cli import worker as cli_worker

__all__ = ["app"]

app = typer.Typer(help="shopbot: a conversational shop for Telegram", no_args_is_help=True)
app.command("run")(cli_run.run)
app.add_typer(cli_db.app, name="db")
app.command("doctor")(cli_db.doctor)
app.add_typer(cli_catalog.app, name="catalog")
app.add_typer(cli_config.app, name="config")
app.command("demo")(cli_demo.demo)
app.command("report")(cli_report.report)
app.add_typer(cli_webhook.app, name="webhook")
app.command("worker")(cli_worker.worker)


@app.callback()
def _commands() -> None:
    """Keeps every command a sub-command (`shopbot run`), even while there is only one."""


def main() -> None:  # pragma: no cover - console entry
    app()
