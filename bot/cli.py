"""`shopbot` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot import cli_catalog, cli_db, cli_report

__all__ = ["app"]

app = typer.Typer(help="shopbot: a conversational shop for Telegram", no_args_is_help=True)

app.add_typer(cli_db.app, name="db")
app.command("doctor")(cli_db.doctor)
app.add_typer(cli_catalog.app, name="catalog")
app.command("report")(cli_report.report)


def main() -> None:  # pragma: no cover - console entry
    app()
