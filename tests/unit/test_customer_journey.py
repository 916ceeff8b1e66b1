"""A customer from /start to a placed cash-on-delivery order, and what the shop stored on the way."""

from __future__ import annotations

from domain.analytics import FunnelStep
from domain.order_status import OrderStatus, PaymentMethod
from handlers.kernel.incoming import Incoming, Kind
from tests.unit.chat import Chat
from tests.unit.conftest import MERCHANT_CHAT


async def test_customer_browses_adds_to_cart_checks_out_and_gets_an_order(alice: Chat, shop, outbox):
    await alice.command("start")
    assert "Welcome to Tea House" in alice.text
    assert {"🛍 Catalog", "🛒 Cart", "📦 My orders", "❓ Help"} <= set(alice.labels())

    await alice.press("Catalog")
    await alice.press("Tea")
    assert "Page 1 of 2" in alice.text
    await alice.press("Green tea")
    assert "Green tea\n$12.50" in alice.text and "Sencha" in alice.text and "Only 3 left" in alice.text
    await alice.press("+")
    await alice.press("Add 2 to cart")
    assert alice.last.answer == "Added to cart: Green tea × 2"
    await alice.press("Cart")
    assert "Green tea × 2 = $25.00" in alice.text and "Subtotal: $25.00" in alice.text

    await alice.press("Checkout")
    assert "Who will receive the order?" in alice.text
    await alice.send("Alice Smith")
    assert any(b.request_contact for b in alice.buttons())
    await alice.contact("+1 202 555 0100")
    assert alice.last.replies[0].remove_keyboard
    await alice.press("Standard")
    await alice.send("12 Main St, Springfield, 12345, US")
    assert "Total: $30.00" in alice.text and "12 Main St, Springfield, 12345, US" in alice.text
    await alice.press("Pay: Cash on delivery")

    assert "is placed!" in alice.text and "Total: $30.00" in alice.text and "What happens next" in alice.text
    async with shop() as uow:
        [order] = await uow.orders.list_for_customer(alice.user_id)
        assert order.number in alice.text
        assert order.status is OrderStatus.PLACED and order.payment_method is PaymentMethod.CASH
        assert [(line.sku, line.quantity) for line in order.lines] == [("TEA-GREEN", 2)]
        assert order.customer_name == "Alice Smith" and order.customer_phone == "+12025550100"
        assert (await uow.stocks.get("TEA-GREEN")).reserved == 2
        assert (await uow.carts.get(alice.user_id)).is_empty
        assert await uow.dialogs.get(alice.user_id) is None
        customer = await uow.customers.get(alice.user_id)
        assert customer.addresses[0].city == "Springfield"
    merchant = [m for m in outbox() if m.chat_id == MERCHANT_CHAT]
    assert [m.dedupe_key for m in merchant if order.number in (m.dedupe_key or "")] == [
        f"order:{order.number}:card"
    ]
    assert any("TEA-GREEN" in m.payload["text"] for m in merchant)  # 1 left, below safety 2: low stock alert


async def test_redelivered_update_is_ignored(alice: Chat, shop):
    await alice.command("start")
    await alice.press("Catalog")
    await alice.press("Tea")
    await alice.press("Black tea")
    add = alice.find("Add 1 to cart").action
    event = Incoming(Kind.BUTTON, alice.user_id, alice.user_id, update_id=77, action=add)
    first = await alice.app(event)
    again = await alice.app(event)
    assert first.answer and again.replies == [] and again.answer is None
    async with shop() as uow:
        assert (await uow.carts.get(alice.user_id)).lines == {"TEA-BLACK": 1}


async def test_chinese_telegram_user_sees_chinese(app, shop):
    wang = Chat(app, 333, language_code="zh-hans", name="王")
    await wang.command("start")
    assert "欢迎来到 Tea House" in wang.text
    assert "🛍 商品目录" in wang.labels()
    await wang.command("orders")
    assert "您还没有订单" in wang.text
    async with shop() as uow:
        assert (await uow.customers.get(333)).language == "zh"


async def test_language_choice_is_stored_and_wins_over_telegram_language(alice: Chat, shop):
    await alice.command("language")
    await alice.press("中文")
    assert "语言已设为中文" in alice.text
    await alice.command("help")
    assert "我可以帮您" in alice.text
    await alice.command("start")
    assert "欢迎" in alice.text


async def test_start_deep_link_opens_the_product(alice: Chat):
    await alice.command("start", "p_TEA-OOLONG")
    assert "Oolong tea" in alice.text and "$15.00" in alice.text
    await alice.command("start", "p_NOPE")
    assert "no longer available" in alice.text


async def test_help_lists_the_commands(alice: Chat):
    await alice.command("help")
    for command in ("/catalog", "/cart", "/orders", "/track", "/language", "/cancel"):
        assert command in alice.text


async def test_group_chat_messages_are_not_answered(app, shop):
    outcome = await app(Incoming(Kind.COMMAND, 111, -42, update_id=5, text="cart", private=False))
    assert outcome.replies == []


async def test_the_funnel_counts_a_new_cart_and_a_started_checkout_once_each(alice: Chat, shop):
    await alice.command("start")
    await alice.press("Catalog")
    await alice.press("Tea")
    await alice.press("Green tea")
    await alice.press("Add 1 to cart")
    await alice.press("Add 1 to cart")  # the cart already exists: not a new cart
    await alice.press("Cart")
    await alice.press("Checkout")
    await alice.send("Alice Smith")
    steps = [step for step, customer, _ in shop.state.funnel if customer == alice.user_id]
    assert steps == [FunnelStep.CART_CREATED, FunnelStep.CHECKOUT_STARTED]
