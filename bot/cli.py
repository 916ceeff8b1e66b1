"""`shopbot` command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from bot import cli_demo

__all__ = ["app"]

app = typer.Typer(help="shopbot: a conversational shop for Telegram", no_args_is_help=True)
app.command("demo")(cli_demo.demo)


def main() -> None:  # pragma: no cover - console entry
    app()
