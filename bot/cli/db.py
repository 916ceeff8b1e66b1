"""`shopbot db upgrade` (apply migrations) and `shopbot doctor` (check stock and order invariants)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.preflight import load_settings, require_database, shown_url
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["app", "doctor"]

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to migrate to")) -> None:
    """Apply database migrations up to REVISION (default: the newest)."""
    from storage.database.migrate import upgrade as migrate_upgrade  # Alembic: only for this command

    url = load_settings().database_url
    try:
        migrate_upgrade(url, revision)
    except (SQLAlchemyError, OSError) as exc:
        typer.echo(f"cannot migrate the database at {shown_url(url)}: {type(exc).__name__}", err=True)
        raise typer.Exit(2) from None
    Console().print(f"database migrated to [bold]{revision}[/]")


def doctor() -> None:
    """Check stock and order invariants; exit 1 when any is broken."""
    settings = load_settings()
    require_database(settings.database_url)
    violations = asyncio.run(_violations(settings.database_url))
    console = Console()
    for violation in violations:
        console.print(f"[red]✗[/] {violation}")
    if violations:
        console.print(f"{len(violations)} problem(s) found")
        raise typer.Exit(1)
    console.print("[green]✓[/] stock and orders are consistent")


async def _violations(url: str) -> list[str]:
    from storage.invariants import find_violations  # for this command only, not `shopbot run`

    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return await find_violations(uow.session)
    finally:
        await dispose(engine)
