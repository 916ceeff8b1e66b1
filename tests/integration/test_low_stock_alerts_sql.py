"""Low-stock alerts on real SQLite and PostgreSQL: one per dip below safety stock, re-armed by a restock."""

from __future__ import annotations

from sqlalchemy import select

from domain.clock import FixedClock
from domain.money import Money
from domain.order_status import PaymentMethod
from handlers.app import ShopApp
from handlers.kernel.config import DeliveryOption, ShopConfig
from storage.database.engine import session_factory
from storage.tables import OutboxRow
from tests.shops.merchant import ANN, MERCHANT_CHAT, StaffChat, desk_for
from tests.shops.storage import stocked
from tests.unit.chat import Chat, place_order

CONFIG = ShopConfig(
    "Tea House",
    "USD",
    delivery_options=(DeliveryOption("standard", "Standard", Money(500, "USD")),),
    payment_methods=(PaymentMethod.CASH,),
    merchant_chat_id=MERCHANT_CHAT,
)


async def low_alerts(uow_factory) -> list[str]:
    async with session_factory(uow_factory.engine)() as session:
        rows = await session.execute(select(OutboxRow.payload).where(OutboxRow.chat_id == MERCHANT_CHAT))
    return [payload["text"] for (payload,) in rows if "Low stock" in payload["text"]]


async def test_each_dip_alerts_once_and_a_restock_rearms_the_alert(uow_factory):
    """3 on hand, safety 2; the clock stands still, so nothing but the armed flag tells dips apart."""
    await stocked(uow_factory, ("TEA-1", 3, 2))
    app = ShopApp(uow_factory, FixedClock(), CONFIG, merchant=desk_for())
    alice, bob = Chat(app, 111, name="Alice"), Chat(app, 222, name="Bob")
    ann = StaffChat(app, ANN, "Ann", chat_id=ANN)
    await place_order(alice, uow_factory, {"TEA-1": 2})  # 1 available: below safety
    assert len(await low_alerts(uow_factory)) == 1
    await place_order(bob, uow_factory, {"TEA-1": 1})  # 0 available: the same dip
    assert len(await low_alerts(uow_factory)) == 1
    await ann.command("restock", "TEA-1 10")
    assert "armed again" in ann.text
    await place_order(alice, uow_factory, {"TEA-1": 9})  # 1 available: a new dip
    assert len(await low_alerts(uow_factory)) == 2
