"""The revisions the migration scripts end at, read without importing Alembic.

A running bot only compares `alembic_version` with these heads (`GET /readyz`, start-up); importing
Alembic for that (its script directory loads every dialect's DDL module, Mako and Pygments) costs the
process about 7 MiB of memory it never gives back. Each script states its ids as plain assignments
(`revision = "..."`, `down_revision = "..."` or a tuple for a merge), so they are read with `ast`; a test
checks the result against Alembic's own `ScriptDirectory`. Migrating still goes through Alembic
(`storage.database.migrate`).
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["migration_heads", "VERSIONS"]

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
_IDS = ("revision", "down_revision")


def _ids(script: Path) -> dict[str, object]:
    # The ids come before the first function (Alembic's template); parsing only that head keeps the
    # parse small (a whole initial-schema script's tree is over a megabyte).
    head = script.read_text(encoding="utf-8").split("\ndef ", 1)[0]
    found: dict[str, object] = {}
    for node in ast.parse(head, filename=str(script)).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _IDS:
                found[target.id] = ast.literal_eval(value)
    return found


def migration_heads(versions: Path = VERSIONS) -> frozenset[str]:
    """Read once at start-up: the script directory does not change under a running process."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        ids = _ids(script)
        revision = ids.get("revision")
        if not isinstance(revision, str):
            continue  # not a migration script
        revisions.add(revision)
        down = ids.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(parent) for parent in down)
    return frozenset(revisions - parents)
