"""The catalog CSV format: parse and validate every row (all errors, by line), and write it back.

Columns: sku,name,category,price,stock,safety_stock,description,photo, and optionally name_zh,
description_zh,category_zh (what Chinese-speaking customers see; empty: the English text). `price` is a
decimal string in the shop currency ("12.50"); `category` is the category's display name; `photo` is empty
or one or more photos separated by spaces, each an http(s) URL or a Telegram file id (what a photo sent to
the bot in /newproduct is stored as), the first being the one the catalog shows first. Framework-free:
standard library and domain only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from domain.catalog.products import (
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PHOTOS,
    MAX_PRICE_MINOR,
    category_slug,
    validate_sku,
)
from domain.catalog.products import PHOTO_RE as _PHOTO_RE
from domain.catalog.stock import validate_quantity
from domain.errors import InvalidInput
from domain.money import Money

__all__ = [
    "COLUMNS",
    "CHINESE_COLUMNS",
    "CatalogRow",
    "CatalogErrors",
    "parse_catalog",
    "format_catalog",
    "category_slug",
]

COLUMNS = ("sku", "name", "category", "price", "stock", "safety_stock", "description", "photo")
CHINESE_COLUMNS = ("name_zh", "description_zh", "category_zh")  # optional
T = TypeVar("T")


class CatalogErrors(InvalidInput):
    """Every problem found in a catalog file, one line each; nothing was changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the catalog file; nothing was imported", "file")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class CatalogRow:
    line: int
    sku: str
    name: str
    category: str  # display name; the slug is derived by `category_slug`
    price: Money
    stock: int
    safety_stock: int
    description: str = ""
    photo: str | None = None
    name_zh: str = ""
    description_zh: str = ""
    category_zh: str = ""
    more_photos: tuple[str, ...] = ()

    @property
    def photos(self) -> tuple[str, ...]:
        return (self.photo, *self.more_photos) if self.photo else ()


def parse_catalog(text: str, currency: str) -> list[CatalogRow]:
    """All rows, or `CatalogErrors` listing every bad line (header problems are reported as line 1)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), restkey="_extra")
    header = tuple(reader.fieldnames or ())
    columns = COLUMNS + tuple(c for c in CHINESE_COLUMNS if c in header)
    if sorted(header) != sorted(columns):
        missing = [c for c in COLUMNS if c not in header]
        unknown = [c for c in header if c not in columns]
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(unknown)}" if unknown else "",
                "a column appears twice" if len(set(header)) != len(header) else "",
            )
            if part
        )
        raise CatalogErrors(
            [
                f"line 1: columns must be exactly {','.join(COLUMNS)}, optionally "
                f"{','.join(CHINESE_COLUMNS)} ({detail})"
            ]
        )
    rows: list[CatalogRow] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if "_extra" in raw or any(raw.get(c) is None for c in columns):
            errors.append(f"line {line}: expected {len(columns)} fields")
            continue
        problems, row = _parse_row(line, raw, currency)
        sku = raw["sku"].strip()
        if sku and sku in first_line:
            problems.append(f"sku {sku} already appears on line {first_line[sku]}")
        first_line.setdefault(sku, line)
        errors += [f"line {line}: {p}" for p in problems]
        if row is not None and not problems:
            rows.append(row)
    if errors:
        raise CatalogErrors(errors)
    return rows


def _parse_row(line: int, raw: dict[str, str], currency: str) -> tuple[list[str], CatalogRow | None]:
    problems: list[str] = []

    sku = _collect(problems, validate_sku, raw["sku"].strip())
    name = " ".join(raw["name"].split())
    if not name:
        problems.append("name is required")
    elif len(name) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters")
    category = " ".join(raw["category"].split())
    if not category_slug(category):
        problems.append("category is required (letters or digits)")
    price = _collect(problems, Money.parse, raw["price"], currency)
    if price is not None and price.amount_minor < 0:
        problems.append("price cannot be negative")
    elif price is not None and price.amount_minor > MAX_PRICE_MINOR:
        problems.append("price is implausibly high")
    stock = _collect(problems, _whole, raw["stock"], "stock")
    safety = _collect(problems, _whole, raw["safety_stock"] or "0", "safety_stock")
    description = raw["description"].strip()
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"description is longer than {MAX_DESCRIPTION} characters")
    photos = raw["photo"].split()
    if any(not _PHOTO_RE.match(photo) for photo in photos):
        problems.append("photo must be empty or http(s) URLs / Telegram file ids separated by spaces")
    elif len(photos) > MAX_PHOTOS:
        problems.append(f"at most {MAX_PHOTOS} photos")
    name_zh = " ".join((raw.get("name_zh") or "").split())
    description_zh = (raw.get("description_zh") or "").strip()
    category_zh = " ".join((raw.get("category_zh") or "").split())
    if len(name_zh) > MAX_NAME or len(category_zh) > MAX_NAME:
        problems.append(f"name_zh and category_zh are at most {MAX_NAME} characters")
    if len(description_zh) > MAX_DESCRIPTION:
        problems.append(f"description_zh is longer than {MAX_DESCRIPTION} characters")
    if problems or sku is None or price is None or stock is None or safety is None:
        return problems, None
    chinese = {"name_zh": name_zh, "description_zh": description_zh, "category_zh": category_zh}
    first, more = (photos[0], tuple(photos[1:])) if photos else (None, ())
    return problems, CatalogRow(
        line, sku, name, category, price, stock, safety, description, first, **chinese, more_photos=more
    )


def _collect(problems: list[str], parse: Callable[..., T], *args: object) -> T | None:
    """`parse(*args)`, or None with its message added to `problems`."""
    try:
        return parse(*args)
    except InvalidInput as exc:
        problems.append(str(exc))
        return None


def _whole(text: str, field_name: str) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"-?\d+", cleaned):
        raise InvalidInput(f"{field_name} must be a whole number, got {text!r}", field_name)
    return validate_quantity(int(cleaned), field_name=field_name)


def format_catalog(rows: list[CatalogRow]) -> str:
    """The import format; the Chinese columns only when some row has Chinese text."""
    chinese = any(row.name_zh or row.description_zh or row.category_zh for row in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (CHINESE_COLUMNS if chinese else ()))
    for row in rows:
        cells: list[object] = [
            row.sku,
            row.name,
            row.category,
            row.price.format_plain(),
            row.stock,
            row.safety_stock,
            row.description,
            " ".join(row.photos),
        ]
        writer.writerow(cells + ([row.name_zh, row.description_zh, row.category_zh] if chinese else []))
    return out.getvalue()
