"""The invariant checker finds broken stock and order totals; the CLI migrates, checks and imports."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from bot.cli import app
from storage.invariants import find_violations
from tests.shops.storage import place, stocked

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"


async def test_checker_reports_reserved_units_no_order_holds_and_totals_that_do_not_add_up(uow_factory):
    await stocked(uow_factory, ("A", 10, 0))
    order = await place(uow_factory, 7, {"A": 2})
    async with uow_factory(write=False) as uow:
        assert await find_violations(uow.session) == []
    async with uow_factory() as uow:
        await uow.session.execute(text("UPDATE stock SET reserved = 5 WHERE sku = 'A'"))
        await uow.session.execute(text("UPDATE orders SET total_minor = total_minor + 1"))
        assert await find_violations(uow.session) == [
            "stock A: reserved is 5 but live reservations hold 2",
            f"order {order.number}: stored total 4201 is not subtotal 3700 + shipping 500",
        ]


def test_cli_migrates_imports_exports_and_doctor_passes(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    imported = runner.invoke(app, ["catalog", "import", str(EXAMPLE)])
    assert imported.exit_code == 0, imported.output
    assert "12 product(s) created" in imported.output
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["catalog", "export", str(out)]).exit_code == 0
    assert out.read_text().count("\n") == 13
    doctor = runner.invoke(app, ["doctor"])
    assert doctor.exit_code == 0 and "consistent" in doctor.output


def test_cli_import_of_a_bad_file_lists_errors_and_exits_non_zero(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,category,price,stock,safety_stock,description,photo\nA,,Tea,x,1,0,,\n")
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["catalog", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2: name is required" in result.output and "nothing was imported" in result.output


def test_doctor_lists_violations_and_exits_non_zero(tmp_path, monkeypatch):
    import sqlite3

    path = tmp_path / "shop.db"
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["catalog", "import", str(EXAMPLE)])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE stock SET reserved = 1 WHERE sku = 'TEA-LJ-100'")
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "stock TEA-LJ-100: reserved is 1 but live reservations hold 0" in result.output
