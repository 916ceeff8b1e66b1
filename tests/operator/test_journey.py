"""One order from placed to completed through the real `shopbot` processes and their scheduled jobs.

As README says: `shopbot db upgrade`, `shopbot catalog import`, then `shopbot run` (each runtime, SQLite)
or `shopbot run --no-jobs` beside `shopbot worker` (PostgreSQL). Every integration is configured against
the loopback fakes: Telegram, Stripe (a signed webhook posted to the process), 17TRACK (polled by the
job). Alice pays by card, staff accept, pack and ship, 17TRACK reports the parcel in transit and then
delivered. Then the jobs process restarts two days later (SHOPBOT_CLOCK_OFFSET): Alice's order completes,
Dave's unpaid reservation is released, Bob's forgotten cart and Carol's unanswered cash order are
reminded of, and the daily report goes out. Every job runs without failing, and no process logs an
ERROR or a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from domain.order_status import OrderStatus
from handlers.actions.codec import pack
from handlers.actions.merchant import AcceptOrder, PackOrder
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.e2e.telegram_chat import TelegramChat
from tests.fakes.stripe_api import post_event
from tests.integration.databases import POSTGRES_URL, temporary_database
from tests.operator.processes import (
    MERCHANT_CHAT,
    STAFF,
    STRIPE_WEBHOOK_SECRET,
    Fakes,
    free_port,
    operator_env,
    running,
    running_fakes,
    shopbot,
)

CATALOG = """sku,name,category,price,stock,safety_stock,description,photo
TEA-GREEN,Green Tea,Tea,10.00,2,2,Spring green tea.,
TEA-BLACK,Black Tea,Tea,8.00,50,5,Assam black tea.,
MUG,Mug,Ware,6.00,50,5,A white mug.,
"""
JOBS = {
    "poll_tracking",
    "expire_reservations",
    "low_stock",
    "unanswered_orders",
    "abandoned_carts",
    "daily_report",
    "complete_delivered",
    "staff_prompts",
    "retry_refunds",
}
PARCEL = "JD014600000001"
TWO_DAYS_LATER = {"SHOPBOT_CLOCK_OFFSET": "P2D"}


@pytest.fixture
async def fakes():
    async with running_fakes() as started:
        yield started


async def _merchant_sees(fakes: Fakes, *fragments: str, timeout: float = 20) -> dict:  # noqa: ASYNC109
    call = await fakes.telegram.wait_for(
        "sendMessage",
        lambda p: int(p["chat_id"]) == MERCHANT_CHAT and all(f in p.get("text", "") for f in fragments),
        timeout=timeout,
    )
    return call.result


async def _browse_and_add(chat: TelegramChat, category: str, product: str) -> None:
    await chat.send("/start", then="Welcome to Tea House")
    await chat.press("Catalog", then=category)
    await chat.press(category, then=product)
    await chat.press(product, then=product)
    await chat.press("Add 1 to cart", then="In your cart: 1")


async def _check_out(chat: TelegramChat, name: str, phone: str, delivery: str, then: str) -> None:
    await chat.send("/cart", then="Checkout")
    await chat.press("Checkout", then="Who will receive the order?")
    await chat.send(name, then="phone")
    await chat.share_phone(phone, then="How should we deliver?")
    await chat.press(delivery, then=then)


async def _pays_by_card(fakes: Fakes, alice: TelegramChat, port: int) -> str:
    await _browse_and_add(alice, "Tea", "Green Tea")
    await _check_out(alice, "Alice Smith", "+1 202 555 0100", "Standard", then="address")
    await alice.send("12 Main St, Springfield, 12345, US", then="Total: $15.00")
    await alice.press("Card", then="Pay $15.00")
    [session] = [s for s in fakes.stripe.sessions.values() if s["amount_total"] == 1500]
    number = session["metadata"]["order_number"]
    event = fakes.stripe.pay(session["id"])
    answer = await post_event(f"http://127.0.0.1:{port}", event, STRIPE_WEBHOOK_SECRET)
    assert answer.status_code == 200, answer.text
    await alice.sees(f"Payment received, thank you! Order {number}", timeout=20)
    return number


async def _staff_ship(fakes: Fakes, number: str) -> None:
    telegram = fakes.telegram
    card = await _merchant_sees(fakes, number)
    telegram.user(STAFF, first_name="Ann")
    for action, done in ((AcceptOrder(number), "Accepted by Ann"), (PackOrder(number), "Packed by Ann")):
        await telegram.press(STAFF, card["message_id"], pack(action), chat_id=MERCHANT_CHAT)
        await telegram.wait_for("editMessageText", lambda p, done=done: done in p["text"], timeout=20)
    fakes.tracking.statuses[PARCEL] = "InTransit"
    await telegram.push_text(STAFF, f"/ship {number} DHL {PARCEL}", chat_id=MERCHANT_CHAT)
    await telegram.wait_for("editMessageText", lambda p: "Shipped by Ann" in p["text"], timeout=20)


async def _others_leave_work_for_the_jobs(fakes: Fakes) -> None:
    bob = TelegramChat(fakes.telegram, 502)  # fills a cart and goes away
    await _browse_and_add(bob, "Tea", "Black Tea")
    carol = TelegramChat(fakes.telegram, 503)  # cash on delivery; nobody accepts it
    await _browse_and_add(carol, "Ware", "Mug")
    await _check_out(carol, "Carol Jones", "+1 202 555 0103", "Pickup", then="Total")
    await carol.press("Cash at pickup", then="is placed!")
    dave = TelegramChat(fakes.telegram, 504)  # asks for a card link and never pays
    await _browse_and_add(dave, "Ware", "Mug")
    await _check_out(dave, "Dave Brown", "+1 202 555 0104", "Pickup", then="Total")
    await dave.press("Card", then="Pay $6.00")


async def _phase_one(fakes: Fakes, port: int) -> str:
    """Placed, paid, accepted, packed, shipped; in transit and delivered by the tracking job."""
    alice = TelegramChat(fakes.telegram, 501)
    number = await _pays_by_card(fakes, alice, port)
    await _staff_ship(fakes, number)
    await _others_leave_work_for_the_jobs(fakes)
    await alice.sees(f"Your order {number} is on its way.", timeout=30)
    fakes.tracking.statuses[PARCEL] = "Delivered"
    await alice.sees(f"Your order {number} was delivered. Enjoy!", timeout=30)
    await _merchant_sees(fakes, "Low stock", "TEA-GREEN")
    return number


async def _phase_two(fakes: Fakes) -> None:
    """Two days later, what each job owes is done once the process restarts."""
    await TelegramChat(fakes.telegram, 504).sees("was not paid in time", timeout=30)
    await TelegramChat(fakes.telegram, 502).sees("You left 1 item in your cart", timeout=30)
    await _merchant_sees(fakes, "has waited", timeout=30)
    yesterday = datetime.now(UTC) + timedelta(days=2) - timedelta(days=1)  # the shop's, two days on
    await _merchant_sees(fakes, f"Yesterday, {yesterday:%d %b %Y}", timeout=30)


async def _jobs_ran(metrics_url: str) -> None:
    async with httpx.AsyncClient() as http:
        text = (await http.get(metrics_url)).text
    runs = [line for line in text.splitlines() if line.startswith("shopbot_job_runs_total{")]
    ok = {job for job in JOBS if any(f'job="{job}",outcome="ok"' in line for line in runs)}
    assert ok == JOBS, runs
    assert not [line for line in runs if 'outcome="error"' in line and not line.endswith(" 0.0")], runs


async def _status(database_url: str, number: str) -> OrderStatus:
    engine = create_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine)(write=False) as uow:
            return (await uow.orders.get(number)).status
    finally:
        await dispose(engine)


async def _set_up(fakes: Fakes, tmp_path: Path, database_url: str, port: int) -> dict[str, str]:
    (tmp_path / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    env = operator_env(fakes, database_url, port)
    await shopbot(env, tmp_path, "db", "upgrade")
    await shopbot(env, tmp_path, "catalog", "import", "catalog.csv")
    return env


@pytest.mark.parametrize("runtime", ["ptb", "aiogram"])
async def test_shopbot_run_takes_an_order_from_placed_to_completed_through_its_jobs(
    runtime: str, fakes: Fakes, tmp_path: Path
):
    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'shopbot.db'}"
    env = await _set_up(fakes, tmp_path, database_url, port)
    async with running(env, tmp_path, "run", "--runtime", runtime, ready=health):
        number = await _phase_one(fakes, port)
    assert await _status(database_url, number) is OrderStatus.DELIVERED
    async with running(env | TWO_DAYS_LATER, tmp_path, "run", "--runtime", runtime, ready=health):
        await _phase_two(fakes)
        await _jobs_ran(f"http://127.0.0.1:{port}/metrics")
    assert await _status(database_url, number) is OrderStatus.COMPLETED


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="no PostgreSQL")
async def test_a_worker_beside_a_web_process_on_postgresql_does_the_same(fakes: Fakes, tmp_path: Path):
    port, metrics_port = free_port(), free_port()
    health, metrics = f"http://127.0.0.1:{port}/healthz", f"http://127.0.0.1:{metrics_port}/metrics"
    worker = ("worker", "--metrics-port", str(metrics_port))
    async with temporary_database("postgres", tmp_path, tables=False) as database_url:
        env = await _set_up(fakes, tmp_path, database_url, port)
        async with running(env, tmp_path, "run", "--runtime", "aiogram", "--no-jobs", ready=health):
            async with running(env, tmp_path, *worker, ready=metrics):
                number = await _phase_one(fakes, port)
            async with running(env | TWO_DAYS_LATER, tmp_path, *worker, ready=metrics):
                await _phase_two(fakes)
                await _jobs_ran(metrics)
        assert await _status(database_url, number) is OrderStatus.COMPLETED
