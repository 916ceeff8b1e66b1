"""Run Alembic migrations programmatically (`shopbot db upgrade`, test set-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "upgrade", "upgrade_with"]

_HERE = Path(__file__).resolve().parents[1]  # storage/: alembic.ini and migrations/


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(_HERE / "alembic.ini"))
    config.set_main_option("script_location", str(_HERE / "migrations"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url`; call from synchronous code (it runs its own event loop)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_with(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate using an engine from running async code (e.g. at bot start-up)."""
    config = alembic_config()
    async with engine.begin() as connection:

        def run(sync_connection: object) -> None:
            config.attributes["connection"] = sync_connection
            command.upgrade(config, revision)

        await connection.run_sync(run)
