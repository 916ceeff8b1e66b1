"""`shopbot db upgrade` (apply migrations) and `shopbot doctor` (check stock and order invariants)."""

from __future__ import annotations

import asyncio

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.output import done, fail, problem
from bot.cli.preflight import load_settings, require_database, shown_url
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["app", "doctor"]


@click.group()
def app() -> None:
    """Database schema."""


@app.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply database migrations up to REVISION, an Alembic revision (default: head, the newest)."""
    from storage.database.migrate import upgrade as migrate_upgrade  # Alembic: only for this command

    url = load_settings().database_url
    try:
        migrate_upgrade(url, revision)
    except (SQLAlchemyError, OSError) as exc:
        raise fail(f"cannot migrate the database at {shown_url(url)}: {type(exc).__name__}") from None
    click.echo(f"database migrated to {click.style(revision, bold=True)}")


@click.command()
def doctor() -> None:
    """Check stock and order invariants; exit 1 when any is broken."""
    settings = load_settings()
    require_database(settings.database_url)
    violations = asyncio.run(_violations(settings.database_url))
    for violation in violations:
        problem(violation)
    if violations:
        click.echo(f"{len(violations)} problem(s) found")
        raise SystemExit(1)
    done("stock and orders are consistent")


async def _violations(url: str) -> list[str]:
    from storage.invariants import find_violations  # for this command only, not `shopbot run`

    engine = create_engine(url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return await find_violations(uow.session)
    finally:
        await dispose(engine)
