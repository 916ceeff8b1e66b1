"""`shopbot catalog import FILE.csv` and `shopbot catalog export FILE.csv`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.output import done, fail, problem
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

# The catalog transfer is imported by the commands that use it: `shopbot run` imports this module too (the
# CLI registers every command) and need not hold it (docs/benchmarks.md)

__all__ = ["app", "read_catalog"]


@click.group(
    short_help="Catalog CSV files: import and export.",
    help=f"Catalog CSV files (columns: {','.join(COLUMNS)}; optionally {','.join(CHINESE_COLUMNS)}).",
)
def app() -> None:
    pass


_FILE = click.argument("path", type=click.Path(dir_okay=False, path_type=Path))


@app.command("import")
@_FILE
def import_(path: Path) -> None:
    """Create or update products, categories and stock from PATH; any bad row aborts the whole file."""
    settings = load_settings()
    rows = read_catalog(path, settings.currency)
    require_database(settings.database_url)
    summary = asyncio.run(_import(settings.database_url, rows))
    done(
        f"{summary.created} product(s) created, {summary.updated} updated, "
        f"{summary.new_categories} new categor{'y' if summary.new_categories == 1 else 'ies'}",
        err=True,
    )


def read_catalog(path: Path, currency: str) -> list[CatalogRow]:
    """The rows of the catalog file at `path`; an unreadable file exits 2, bad rows are listed by line
    and exit 1 (the same for `catalog import` and `demo --catalog`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {exc}") from None
    try:
        return parse_catalog(text, currency)
    except CatalogErrors as exc:
        for error in exc.errors:
            problem(str(error), err=True)
        raise fail(
            f"{len(exc.errors)} problem(s); nothing was imported. Fix the file and run again.", 1
        ) from None


async def _import(url: str, rows: list[CatalogRow]) -> ImportSummary:
    from storage.catalog.transfer import import_catalog

    engine = create_engine(url)
    try:  # the bar is drawn on a terminal only
        with click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar:
            async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
                summary = await import_catalog(
                    uow,
                    rows,
                    actor=Actor.system("catalog import"),
                    now=UtcClock().now(),
                    progress=lambda: bar.update(1),
                )
                await uow.commit()
        return summary
    finally:
        await dispose(engine)


@app.command("export")
@_FILE
def export(path: Path) -> None:
    """Write every product, with its category, price and stock, to PATH in the import format."""
    settings = load_settings()
    require_database(settings.database_url)
    text = asyncio.run(_export(settings.database_url))
    path.write_text(text, encoding="utf-8")
    done(f"wrote {text.count(chr(10)) - 1} product(s) to {path}", err=True)


async def _export(url: str) -> str:
    from storage.catalog.transfer import export_catalog

    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return format_catalog(await export_catalog(uow))
    finally:
        await dispose(engine)
