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


PRODUCT = ("bot", "handlers", "domain", "storage", "jobs")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """Every product module `path` imports, TYPE_CHECKING and function-local imports included.

    `from a.b import c` counts as importing `a.b.c` when that is a module, else `a.b`.
    """
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets = [f"{stem}.{alias.name}" for alias in node.names]
            targets = [t if t in known else stem for t in targets]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PRODUCT) -> dict[str, set[str]]:
    paths = [p for package in packages for p in sorted((root / package).rglob("*.py"))]
    known = {module_name(p, root) for p in paths}
    return {module_name(p, root): imported_modules(p, known, root) for p in paths}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted.

    A package's `__init__` importing its own submodules is not a circle by itself: importing
    `a.b` runs `a/__init__` first anyway, so edges from a module to its enclosing packages are dropped.
    """
    edges = {
        source: {t for t in targets if not source.startswith(t + ".")} for source, targets in graph.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(edges) + 100))
    try:
        for node in sorted(edges):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(circles)


def test_no_import_circle_between_product_modules():
    circles = import_circles(import_graph())
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_a_circle_through_type_checking_would_be_caught(tmp_path):
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "desk.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.router import Router\n"
    )
    (pkg / "router.py").write_text("from . import desk\n")
    (pkg / "leaf.py").write_text("from shop.desk import Desk\n")
    graph = import_graph(tmp_path, ("shop",))
    assert import_circles(graph) == [["shop.desk", "shop.router"]]


# Folder rules inside the layers: (importing folder, folders it must not import).
FOLDER_RULES = [
    ("handlers.customer", ("handlers.merchant",)),
    ("handlers.merchant", ("handlers.customer",)),
    ("handlers.kernel", ("handlers.customer", "handlers.merchant", "handlers.payments")),
    (
        "handlers.actions",
        ("handlers.app", "handlers.kernel", "handlers.customer", "handlers.merchant", "handlers.payments"),
    ),
    ("bot.telegram", ("bot.wiring",)),
]


def _inside(module: str, folder: str) -> bool:
    return module == folder or module.startswith(folder + ".")


@pytest.mark.parametrize("folder,forbidden", FOLDER_RULES, ids=[rule[0] for rule in FOLDER_RULES])
def test_folders_keep_their_direction(folder, forbidden):
    graph = import_graph()
    assert any(_inside(m, folder) for m in graph), folder
    bad = sorted(
        f"{source} -> {target}"
        for source, targets in graph.items()
        if _inside(source, folder)
        for target in targets
        if any(_inside(target, f) for f in forbidden)
    )
    assert not bad, "\n".join(bad)


OUTBOX_WRITER = ROOT / "handlers" / "kernel" / "outbox.py"


def outbox_writes(path: Path) -> list[int]:
    """Lines of `path` that queue a message themselves: `x.outbox.add(...)` or `OutboxMessage(...)`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        adds = (
            isinstance(func, ast.Attribute)
            and func.attr == "add"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "outbox"
        )
        if adds or (isinstance(func, ast.Name) and func.id == "OutboxMessage"):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_kernel_outbox_module_writes_to_the_outbox():
    writers = {
        f"{path.relative_to(ROOT)}:{line}"
        for package in ("handlers", "jobs")
        for path in modules(package)
        if path != OUTBOX_WRITER
        for line in outbox_writes(path)
    }
    assert not writers, sorted(writers)
    assert outbox_writes(OUTBOX_WRITER)


def test_a_second_outbox_writer_would_be_caught(tmp_path):
    offender = tmp_path / "notice.py"
    offender.write_text(
        "async def f(uow, m):\n    await uow.outbox.add(m)\n    return OutboxMessage(1, {}, 0)\n"
    )
    assert outbox_writes(offender) == [2, 3]


def row_classes(path: Path) -> list[str]:
    """Classes in `path` that subclass the declarative `Base` directly: table models."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "Base" for base in node.bases)
    ]


def test_every_row_class_lives_in_storage_tables():
    tables = ROOT / "storage" / "tables"
    assert any(row_classes(path) for path in tables.glob("*.py"))
    stray = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules("storage")
        if tables not in path.parents
        for name in row_classes(path)
    }
    assert not stray, sorted(stray)


@pytest.mark.parametrize("package", ["domain", "storage", "handlers", "jobs", "bot"])
def test_no_folder_holds_more_than_fifteen_modules_side_by_side(package):
    """A folder per concept once a prefix repeats: a newcomer reads a folder at a glance."""
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder in [ROOT / package, *(ROOT / package).rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts and "versions" not in folder.parts
        if (count := len([m for m in folder.glob("*.py") if m.name != "__init__.py"])) > 15
    }
    assert not crowded, crowded
