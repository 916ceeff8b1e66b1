"""/readyz's question, on real databases: reachable, and migrated to the code's head?"""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade
from storage.database.schema_status import migration_heads, schema_status


async def test_a_migrated_database_is_ready(database_url: str):
    engine = create_engine(database_url)
    try:
        status = await schema_status(engine, migration_heads())
    finally:
        await dispose(engine)
    assert status.reachable and status.ready and status.current == status.heads


async def test_a_database_behind_the_code_or_never_migrated_is_not_ready(tmp_path: Path):
    behind = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    await asyncio.to_thread(upgrade, behind, "6e344ddf446f")  # it runs its own event loop
    never = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    for url, current in ((behind, {"6e344ddf446f"}), (never, set())):
        engine = create_engine(url)
        try:
            status = await schema_status(engine, migration_heads())
        finally:
            await dispose(engine)
        assert status.reachable and not status.ready and status.current == current


async def test_an_unreachable_database_is_not_ready():
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        status = await schema_status(engine, migration_heads())
    finally:
        await dispose(engine)
    assert not status.reachable and not status.ready


def test_the_heads_read_from_the_scripts_are_the_ones_alembic_finds():
    from alembic.script import ScriptDirectory

    from storage.database.migrate import alembic_config

    assert migration_heads() == frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _script(folder: Path, revision: str, down: str) -> None:
    (folder / f"{revision}_step.py").write_text(
        f'"""Step."""\n\nrevision: str = "{revision}"\ndown_revision = {down}\n\n\n'
        'def upgrade() -> None:\n    revision = "not-this-one"\n',
        encoding="utf-8",
    )


def test_two_branches_are_two_heads_until_a_merge_joins_them(tmp_path: Path):
    _script(tmp_path, "aaa", "None")
    _script(tmp_path, "bbb", '"aaa"')
    _script(tmp_path, "ccc", '"aaa"')
    assert migration_heads(tmp_path) == {"bbb", "ccc"}  # a database at one of them is not ready

    _script(tmp_path, "ddd", '("bbb", "ccc")')
    assert migration_heads(tmp_path) == {"ddd"}
