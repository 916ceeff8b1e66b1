"""`shopbot` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot import cli_catalog, cli_db, cli_demo

__all__ = ["app"]

app = typer.Typer(help="shopbot: a conversational shop for Telegram", no_args_is_help=True)
app.command("demo")(cli_demo.demo)

app.add_typer(cli_db.app, name="db")
app.command("doctor")(cli_db.doctor)
app.add_typer(cli_catalog.app, name="catalog")


def main() -> None:  # pragma: no cover - console entry
    app()


from bot import cli_worker as _cli_worker  # noqa: E402,F401  registers `shopbot worker`
from bot import cli_run as _cli_run  # noqa: E402  `shopbot run`, `shopbot webhook`

app.command("run")(_cli_run.run)
app.add_typer(_cli_run.webhook_app, name="webhook")
