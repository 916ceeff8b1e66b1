"""`shopbot catalog import FILE.csv` and `shopbot catalog export FILE.csv`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from bot.cli.preflight import load_settings, require_database
from bot.clock import UtcClock
from domain.actor import Actor
from storage.catalog.csv_format import (
    CHINESE_COLUMNS,
    COLUMNS,
    CatalogErrors,
    CatalogRow,
    format_catalog,
    parse_catalog,
)
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

if TYPE_CHECKING:
    from storage.catalog.transfer import ImportSummary

# rich's progress bar and the catalog transfer are imported by the commands that use them: `shopbot run`
# imports this module too (the CLI registers every command) and need not hold them (docs/benchmarks.md)

__all__ = ["app", "read_catalog"]

app = typer.Typer(
    help=f"Catalog CSV files (columns: {','.join(COLUMNS)}; optionally {','.join(CHINESE_COLUMNS)}).",
    no_args_is_help=True,
)
_FILE = typer.Argument(..., help="CSV file", dir_okay=False)


@app.command("import")
def import_(path: Path = _FILE) -> None:
    """Create or update products, categories and stock from PATH; any bad row aborts the whole file."""
    console = Console(stderr=True)
    settings = load_settings()
    rows = read_catalog(path, settings.currency, console)
    require_database(settings.database_url)
    summary = asyncio.run(_import(settings.database_url, rows))
    console.print(
        f"[green]✓[/] {summary.created} product(s) created, {summary.updated} updated, "
        f"{summary.new_categories} new categor{'y' if summary.new_categories == 1 else 'ies'}"
    )


def read_catalog(path: Path, currency: str, console: Console) -> list[CatalogRow]:
    """The rows of the catalog file at `path`; an unreadable file exits 2, bad rows are listed by line
    and exit 1 (the same for `catalog import` and `demo --catalog`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"[red]cannot read {path}: {exc}[/]")
        raise typer.Exit(2) from None
    try:
        return parse_catalog(text, currency)
    except CatalogErrors as exc:
        for error in exc.errors:
            console.print(f"[red]✗[/] {error}")
        console.print(f"{len(exc.errors)} problem(s); nothing was imported. Fix the file and run again.")
        raise typer.Exit(1) from None


async def _import(url: str, rows: list[CatalogRow]) -> ImportSummary:
    from rich.progress import Progress

    from storage.catalog.transfer import import_catalog

    engine = create_engine(url)
    try:
        with Progress(transient=True) as progress:
            task = progress.add_task("importing", total=len(rows))
            async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
                summary = await import_catalog(
                    uow,
                    rows,
                    actor=Actor.system("catalog import"),
                    now=UtcClock().now(),
                    progress=lambda: progress.advance(task),
                )
                await uow.commit()
        return summary
    finally:
        await dispose(engine)


@app.command("export")
def export(path: Path = _FILE) -> None:
    """Write every product, with its category, price and stock, to PATH in the import format."""
    settings = load_settings()
    require_database(settings.database_url)
    text = asyncio.run(_export(settings.database_url))
    path.write_text(text, encoding="utf-8")
    Console(stderr=True).print(f"[green]✓[/] wrote {text.count(chr(10)) - 1} product(s) to {path}")


async def _export(url: str) -> str:
    from storage.catalog.transfer import export_catalog

    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return format_catalog(await export_catalog(uow))
    finally:
        await dispose(engine)
