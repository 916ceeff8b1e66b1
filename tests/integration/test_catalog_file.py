"""Catalog CSV import/export: all or nothing, every error by line, and a faithful round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.actor import Actor
from domain.money import Money
from storage.catalog.csv_format import CatalogErrors, format_catalog, parse_catalog
from storage.catalog.transfer import export_catalog, import_catalog
from tests.shops.storage import NOW, place

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog.csv"
HEADER = "sku,name,category,price,stock,safety_stock,description,photo\n"


async def _import(uow_factory, text: str):
    async with uow_factory() as uow:
        summary = await import_catalog(uow, parse_catalog(text, "USD"), actor=Actor.system("test"), now=NOW)
        await uow.commit()
    return summary


async def _export(uow_factory) -> str:
    async with uow_factory(write=False) as uow:
        return format_catalog(await export_catalog(uow))


def test_every_bad_row_is_reported_by_line_number():
    text = HEADER + (
        "TEA-1,Green,Tea,12.50,5,0,,\n"
        "TEA-2,,Tea,abc,-1,0,,ftp://x\n"  # line 3: no name, bad price, negative stock, bad photo
        "TEA-1,Again,Tea,1.999,5,x,,\n"  # line 4: duplicate, too many decimals, bad safety
        "TEA 3,Ok,Tea,1,1,0,,\n"  # line 5: bad sku
        "TEA-4,Ok,Tea,1,1\n"  # line 6: too few fields
    )
    with pytest.raises(CatalogErrors) as failed:
        parse_catalog(text, "USD")
    errors = failed.value.errors
    assert [e.split(":")[0] for e in errors] == ["line 3"] * 4 + ["line 4"] * 3 + ["line 5", "line 6"]
    assert any("name is required" in e for e in errors)
    assert any("already appears on line 2" in e for e in errors)


def test_a_file_with_the_wrong_columns_is_refused_naming_them():
    with pytest.raises(CatalogErrors) as failed:
        parse_catalog("sku,name,price\nA,B,1\n", "USD")
    assert "missing category, stock, safety_stock, description, photo" in failed.value.errors[0]


async def test_an_invalid_file_changes_nothing(uow_factory):
    await _import(uow_factory, EXAMPLE.read_text())
    before = await _export(uow_factory)
    bad = HEADER + "TEA-LJ-100,Renamed,Tea,1.00,1,0,,\nNEW-1,New,Tea,oops,1,0,,\n"
    with pytest.raises(CatalogErrors):
        await _import(uow_factory, bad)
    assert await _export(uow_factory) == before


async def test_stock_cannot_be_imported_below_what_orders_reserved(uow_factory):
    await _import(uow_factory, EXAMPLE.read_text())
    await place(uow_factory, 7, {"TW-YIXING-200": 4})
    text = HEADER + "TEA-LJ-100,Longjing,Tea,20.00,1,0,,\nTW-YIXING-200,Yixing,Teaware,65.00,3,2,,\n"
    with pytest.raises(CatalogErrors) as failed:
        await _import(uow_factory, text)
    assert failed.value.errors == [
        "line 3: TW-YIXING-200 has 4 units reserved by orders; stock cannot be set to 3"
    ]
    async with uow_factory(write=False) as uow:
        assert (await uow.products.get("TEA-LJ-100")).price == Money(1850, "USD")


async def test_import_then_export_round_trips_the_example_catalog(uow_factory):
    summary = await _import(uow_factory, EXAMPLE.read_text())
    assert (summary.created, summary.updated, summary.new_categories) == (12, 0, 3)
    exported = await _export(uow_factory)

    def by_sku(text):
        return {row.sku: row for row in parse_catalog(text, "USD")}

    original, again = by_sku(EXAMPLE.read_text()), by_sku(exported)
    assert {
        sku: (r.name, r.category, r.price, r.stock, r.safety_stock, r.description, r.photo)
        for sku, r in original.items()
    } == {
        sku: (r.name, r.category, r.price, r.stock, r.safety_stock, r.description, r.photo)
        for sku, r in again.items()
    }
    summary = await _import(uow_factory, exported)
    assert (summary.created, summary.updated, summary.new_categories) == (0, 12, 0)
    assert await _export(uow_factory) == exported
    async with uow_factory(write=False) as uow:
        assert [c.name for c in await uow.categories.list()] == ["Tea", "Teaware", "Snacks"]


async def test_chinese_names_come_in_from_the_csv_are_searched_and_go_back_out(uow_factory):
    text = EXAMPLE.read_text(encoding="utf-8")
    async with uow_factory() as uow:
        await import_catalog(uow, parse_catalog(text, "USD"), actor=Actor.system("test"), now=NOW)
        await uow.commit()
    async with uow_factory(write=False) as uow:
        jasmine = await uow.products.get("TEA-JAS-50")
        assert (jasmine.display_name("zh"), jasmine.display_name("en")) == (
            "茉莉龙珠 50 克",
            "Jasmine Pearls 50 g",
        )
        assert [c.display_name("zh") for c in await uow.categories.list()] == ["茶叶", "茶具", "茶点"]
        for query in ("茉莉", "JASMINE", "jasm pearl", "tea-jas", "Pearls 50"):
            assert [p.sku for p in await uow.products.search(query)] == ["TEA-JAS-50"], query
        assert await uow.products.search("jasmine teapot") == []
        exported = format_catalog(await export_catalog(uow))
    assert exported.splitlines()[0].endswith(",name_zh,description_zh,category_zh")
    assert "茉莉龙珠 50 克,手工揉捻绿茶，以茉莉花窨制。,茶叶" in exported
