"""`shopbot` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot import cli_catalog, cli_db, cli_demo, cli_report, cli_run, cli_webhook

__all__ = ["app"]

app = typer.Typer(help="shopbot: a conversational shop for Telegram", no_args_is_help=True)
app.command("run")(cli_run.run)
app.add_typer(cli_db.app, name="db")
app.command("doctor")(cli_db.doctor)
app.add_typer(cli_catalog.app, name="catalog")
app.command("demo")(cli_demo.demo)
app.command("report")(cli_report.report)
app.add_typer(cli_webhook.app, name="webhook")


@app.callback()
def _commands() -> None:
    """Keeps every command a sub-command (`shopbot run`), even while there is only one."""


def main() -> None:  # pragma: no cover - console entry
    app()


from bot import cli_worker as _cli_worker  # noqa: E402,F401  registers `shopbot worker`
