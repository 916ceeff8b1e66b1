"""The load benchmark's shop and its two journeys, each step waiting for the bot's answer.

Shop: 3 categories × 6 products, every product with a photo URL (so product cards are photos, as in a
real shop) and stock enough for every checkout of a long run.
browse: /start → Catalog → category → product → Add 1 to cart → 🛒 Cart → 🗑 Clear cart (7 updates),
    repeated by the same customer.
checkout: a new customer each time: /start → Catalog → category → product → Add 1 to cart → /cart →
    Checkout → name → phone (shared contact) → Standard delivery → address → Cash on delivery (12 updates).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.load_telegram import LoadTelegram, NoButton
from domain.actor import Actor
from storage.catalog.csv_format import parse_catalog
from storage.catalog.transfer import import_catalog
from storage.database.engine import create_engine, dispose
from storage.database.migrate import upgrade_with
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

__all__ = ["Tally", "JOURNEYS", "prepare_shop", "customer", "take_step"]

CATEGORIES = ("Tea", "Coffee", "Cups")
REPLY_TIMEOUT = 10.0  # seconds: an update not answered by then counts as unanswered


def _catalog() -> str:
    lines = ["sku,name,category,price,stock,safety_stock,description,photo"]
    for category in CATEGORIES:
        for n in range(6):
            sku = f"{category[:3].upper()}-{n}"
            photo = f"https://img.example.com/{sku}.jpg"
            lines.append(f"{sku},{category} no. {n},{category},{9 + n}.50,1000000,0,About {sku} here,{photo}")
    return "\n".join(lines) + "\n"


async def prepare_shop(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_with(engine)
        async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
            rows = parse_catalog(_catalog(), "USD")
            await import_catalog(uow, rows, actor=Actor.system("bench"), now=datetime.now(UTC))
            await uow.commit()
    finally:
        await dispose(engine)


Step = tuple[str, str, str]  # (send/press/contact, text or button label, part of the expected reply)


def _browse(user_id: int) -> list[Step]:
    category = CATEGORIES[user_id % len(CATEGORIES)]
    sku = f"{category[:3].upper()}-{user_id % 6}"
    return [
        ("send", "/start", "Welcome to"),
        ("press", "Catalog", "Choose a category"),
        ("press", category, "Pick a product"),
        ("press", f"{category} no. {user_id % 6}", f"About {sku}"),
        ("press", "Add 1 to cart", "In your cart: 1"),
        ("press", "Cart", "Your cart:"),
        ("press", "Clear cart", "Your cart is empty"),
    ]


def _checkout(user_id: int) -> list[Step]:
    return [
        *_browse(user_id)[:5],
        ("send", "/cart", "Subtotal"),
        ("press", "Checkout", "Checkout 1/4"),
        ("send", "Bench Customer", "Checkout 2/4"),
        ("contact", "+1 202 555 0123", "Checkout 3/4"),
        ("press", "Standard", "Checkout 4/4"),
        ("send", "5 Elm Road, Springfield, 12345, US", "Total:"),
        ("press", "Cash on delivery", "is placed!"),
    ]


JOURNEYS = {"browse": (_browse, False), "checkout": (_checkout, True)}  # name → (steps, new customer each)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    journeys: int = 0


async def take_step(telegram: LoadTelegram, user_id: int, kind: str, value: str) -> None:
    """What the customer does at one step: send a text, share a contact, or press a button."""
    if kind == "send":
        await telegram.push_text(user_id, value)
    elif kind == "contact":
        await telegram.share_contact(user_id, value)
    else:
        await telegram.press(user_id, *telegram.button(user_id, value))


async def customer(
    telegram: LoadTelegram, journey: str, first_id: int, ids: Iterator[int], stop_at: float, tally: Tally
) -> None:
    """Walk `journey` again and again until `stop_at` (perf_counter); `ids` hands out new customer ids."""
    steps_for, new_each_time = JOURNEYS[journey]
    user_id = first_id
    while time.perf_counter() < stop_at:
        if new_each_time:
            user_id = next(ids)
        for kind, value, expect in steps_for(user_id):
            done = telegram.expect(user_id, expect)
            started = time.perf_counter()
            try:
                await take_step(telegram, user_id, kind, value)
                tally.latencies.append(await asyncio.wait_for(done, REPLY_TIMEOUT) - started)
            except (TimeoutError, NoButton):
                tally.unanswered += 1
                break  # start over with /start
        else:
            tally.journeys += 1
        telegram.forget(user_id)
