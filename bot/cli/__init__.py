"""`shopbot` command line: one click group; each command group lives in its own module."""

from __future__ import annotations

import click

from bot.cli import catalog as cli_catalog
from bot.cli import config as cli_config
from bot.cli import db as cli_db
from bot.cli import demo as cli_demo
from bot.cli import report as cli_report
from bot.cli import run as cli_run
from bot.cli import webhook as cli_webhook
from bot.cli import worker as cli_worker

__all__ = ["app"]


@click.group()
def app() -> None:
    """shopbot: a conversational shop for Telegram"""


app.add_command(cli_run.run, "run")
app.add_command(cli_db.app, "db")
app.add_command(cli_db.doctor, "doctor")
app.add_command(cli_catalog.app, "catalog")
app.add_command(cli_config.app, "config")
app.add_command(cli_demo.demo, "demo")
app.add_command(cli_report.report, "report")
app.add_command(cli_webhook.app, "webhook")
app.add_command(cli_worker.worker, "worker")


def main() -> None:  # pragma: no cover - console entry
    app()
