"""The layering holds: the domain is pure, handlers know no framework, adapters point inwards."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = {
    "telegram",
    "aiogram",
    "sqlalchemy",
    "stripe",
    "httpx",
    "aiohttp",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "apscheduler",
}
FORBIDDEN = {
    "handlers": FRAMEWORKS | {"storage", "bot", "jobs"},
    "jobs": FRAMEWORKS | {"bot", "storage"},
    "storage": {"telegram", "aiogram", "stripe", "handlers", "bot", "jobs"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_the_checker_sees_every_layer():
    for package in ("domain", "handlers", "storage", "jobs", "bot"):
        assert modules(package), package


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_only_the_standard_library(path):
    foreign = imported_roots(path) - set(sys.stdlib_module_names) - {"domain", "__future__"}
    assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


@pytest.mark.parametrize(
    "path",
    [p for package in FORBIDDEN for p in modules(package)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_layers_do_not_import_outward(path):
    package = path.relative_to(ROOT).parts[0]
    bad = imported_roots(path) & FORBIDDEN[package]
    assert not bad, f"{path.relative_to(ROOT)} must not import {sorted(bad)}"


def test_a_violation_would_be_caught(tmp_path):
    offender = tmp_path / "bad.py"
    offender.write_text("import telegram\nfrom sqlalchemy.orm import Session\n")
    assert imported_roots(offender) & FRAMEWORKS == {"telegram", "sqlalchemy"}
