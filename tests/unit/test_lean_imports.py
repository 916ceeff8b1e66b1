"""A bot process loads only what it runs: one Telegram framework, no chart library until a chart is drawn,
no Stripe SDK unless Stripe is configured, no Alembic unless it migrates, no httpx unless 17TRACK is
configured, no APScheduler unless it runs the jobs, no PostgreSQL dialect for a SQLite shop (together about
12 MiB of peak memory, docs/benchmarks.md), none of what only other commands use (the catalog transfer,
the worker process), and no rich (~3 MiB: structlog imports it whenever it is installed, so the shop neither
uses it nor depends on anything that requires it); and httpcore finds sniffio instead of failing to import
it on every request."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("telegram", "aiogram")
ON_DEMAND = ("matplotlib", "numpy", "stripe", "alembic", "httpx", "apscheduler")
OTHER_COMMANDS = ("storage.catalog.transfer", "storage.invariants", "bot.processes.worker")
# (SQLAlchemy's PostgreSQL dialect, ~1.3 MiB, is loaded by every process: the prune job's partial indexes
# declare their PostgreSQL `WHERE`, and SQLAlchemy loads a dialect to check its options)
HEAVY = FRAMEWORKS + ON_DEMAND + OTHER_COMMANDS


def _loaded_after(*modules: str) -> set[str]:
    # rich may be installed for something else: any import of it fails here, as where it is not installed
    code = "import sys\nsys.modules['rich'] = None\n" + "".join(f"import {m}\n" for m in modules)
    code += f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("runtime", "other", "its_own"),
    [("aiogram", "telegram", set()), ("ptb", "aiogram", {"httpx", "apscheduler"})],  # PTB imports both
)
def test_running_one_runtime_loads_neither_the_other_framework_nor_what_it_may_never_use(
    runtime: str, other: str, its_own: set[str]
) -> None:
    loaded = _loaded_after(
        "bot.cli",
        "bot.processes.web",
        "bot.wiring.bootstrap",
        "bot.wiring.background",
        "storage.database.schema_status",
        "storage.unit_of_work",
        f"bot.telegram.{runtime}",
    )

    assert other not in loaded
    assert not loaded & (set(ON_DEMAND) - its_own)
    assert not loaded & set(OTHER_COMMANDS)


def test_httpcore_can_import_sniffio() -> None:
    assert importlib.util.find_spec("sniffio") is not None  # else httpcore retries the import per request


def _requirements(distribution: str, seen: set[str]) -> set[str]:
    """The names of what `distribution` requires, and what those require, without optional extras."""
    for requirement in importlib.metadata.requires(distribution) or ():
        name, marker = re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0], requirement.partition(";")[2]
        name = name.lower().replace("_", "-")
        if "extra ==" in marker or name in seen:
            continue
        seen.add(name)
        try:
            _requirements(name, seen)
        except importlib.metadata.PackageNotFoundError:  # for another platform or Python (a marker)
            pass
    return seen


def test_nothing_the_shop_installs_brings_rich_which_structlog_would_import_into_every_process() -> None:
    installed = _requirements("shopbot", set())
    assert {"click", "structlog", "aiogram"} <= installed
    assert "rich" not in installed
