"""`shopbot db upgrade` (apply migrations) and `shopbot doctor` (check stock and order invariants)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from bot.settings import Settings
from storage.engine import create_engine, dispose
from storage.invariants import find_violations
from storage.migrate import upgrade as migrate_upgrade
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["app", "doctor"]

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to migrate to")) -> None:
    """Apply database migrations up to REVISION (default: the newest)."""
    migrate_upgrade(Settings().database_url, revision)
    Console().print(f"database migrated to [bold]{revision}[/]")


def doctor() -> None:
    """Check stock and order invariants; exit 1 when any is broken."""
    violations = asyncio.run(_violations(Settings().database_url))
    console = Console()
    for violation in violations:
        console.print(f"[red]✗[/] {violation}")
    if violations:
        console.print(f"{len(violations)} problem(s) found")
        raise typer.Exit(1)
    console.print("[green]✓[/] stock and orders are consistent")


async def _violations(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return await find_violations(uow.session)
    finally:
        await dispose(engine)
