"""In-memory implementations of the domain ports, for fast unit tests of domain services and handlers.

They follow the same rules as `storage/` (all-or-nothing reservation, dedupe by key, rollback on exit
without commit) so a test over them states behaviour, not wiring.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.analytics import FunnelStep
from domain.cart import Cart
from domain.catalog.changes import ProductChange
from domain.catalog.products import Category, Product
from domain.catalog.stock import ReservationState, StockLevel
from domain.conversation import Direction, ShopMessage
from domain.customer import Customer
from domain.errors import OrderNumberTaken, OutOfStock
from domain.events import DomainEvent
from domain.order import Order
from domain.order_status import OrderStatus
from domain.outbox import OutboxMessage, OutboxState
from domain.payments.attempts import PaymentAttempt, PaymentStats
from domain.payments.refunds import PendingRefund, RefundState
from domain.ports import InboxUpdate, Shipment, StaleCart, StockAudit
from domain.promo import PromoCode
from tests.fakes.promos import FakePromos, PromoUse


@dataclass
class Reservation:
    order_number: str
    sku: str
    quantity: int
    expires_at: datetime
    state: ReservationState = ReservationState.HELD


@dataclass
class InboxEntry:
    chat_id: int | None
    payload: dict
    state: str = "pending"
    attempts: int = 0
    lease_until: datetime | None = None
    leased_by: str | None = None


class Sent(list):
    """Append-only rows that are never changed once written: a unit of work's copy shares the rows."""

    def __deepcopy__(self, memo: dict) -> Sent:
        return Sent(self)


@dataclass
class MemoryState:
    categories: dict[str, Category] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    stocks: dict[str, StockLevel] = field(default_factory=dict)
    reservations: list[Reservation] = field(default_factory=list)
    audits: list[StockAudit] = field(default_factory=list)
    customers: dict[int, Customer] = field(default_factory=dict)
    carts: dict[int, Cart] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)  # notifications, for the relay
    refunds: dict[int, PendingRefund] = field(default_factory=dict)
    replies: Sent = field(default_factory=Sent)  # turns' replies (held for the process sending them)
    updates: set[int] = field(default_factory=set)
    dialogs: dict[int, tuple[str, dict]] = field(default_factory=dict)
    dialog_messages: dict[int, int] = field(default_factory=dict)  # user -> message showing the question
    outbox_leases: dict[int, tuple[str, datetime]] = field(default_factory=dict)  # id -> (worker, until)
    shipments: dict[tuple[str, str], Shipment] = field(default_factory=dict)  # (order, tracking number)
    shipment_leases: dict[tuple[str, str], tuple[str, datetime]] = field(default_factory=dict)
    cart_updated: dict[int, datetime] = field(default_factory=dict)  # customer id -> last cart change
    cart_reminded: dict[int, datetime] = field(default_factory=dict)  # customer id -> claimed for a reminder
    payment_attempts: list[PaymentAttempt] = field(default_factory=list)
    webhook_events: set[tuple[str, str]] = field(default_factory=set)
    early_refunds: dict[str, int | None] = field(default_factory=dict)  # payment ref -> refunded (None: all)
    funnel: list[tuple[FunnelStep, int, datetime]] = field(default_factory=list)
    inbox: dict[int, InboxEntry] = field(default_factory=dict)  # update id -> entry
    product_changes: list[ProductChange] = field(default_factory=list)
    shop_messages: list[ShopMessage] = field(default_factory=list)
    promos: dict[str, PromoCode] = field(default_factory=dict)
    promo_uses: list[PromoUse] = field(default_factory=list)


class _Repo:
    def __init__(self, state: MemoryState) -> None:
        self.s = state


class FakeCategories(_Repo):
    async def add(self, category: Category) -> None:
        self.s.categories[category.slug] = category

    async def list(self) -> list[Category]:
        return sorted(self.s.categories.values(), key=lambda c: (c.position, c.name))


class FakeProducts(_Repo):
    async def add(self, product: Product) -> None:
        self.s.products[product.sku] = product

    async def get(self, sku: str) -> Product | None:
        return self.s.products.get(sku)

    async def get_with_stock(self, sku: str) -> tuple[Product | None, StockLevel | None]:
        product = self.s.products.get(sku)
        return product, self.s.stocks.get(sku) if product is not None else None

    async def list_by_category(
        self, category: str, *, offset: int = 0, limit: int = 10, include_inactive: bool = False
    ):
        items = sorted(
            (
                p
                for p in self.s.products.values()
                if p.category == category and (p.active or include_inactive)
            ),
            key=lambda p: p.name,
        )
        return items[offset : offset + limit], len(items)

    async def search(self, text: str, *, limit: int = 10, include_inactive: bool = False) -> list[Product]:
        words = text.casefold().split()[:8]

        def found(p: Product) -> bool:
            fields = (p.name.casefold(), p.name_zh, p.sku.casefold())
            return all(any(word in f for f in fields) for word in words)

        hits = [p for p in self.s.products.values() if (p.active or include_inactive) and words and found(p)]
        return sorted(hits, key=lambda p: p.name)[:limit]

    async def list_all(self) -> list[Product]:
        return sorted(self.s.products.values(), key=lambda p: p.sku)

    async def ordered(self, sku: str) -> bool:
        return any(line.sku == sku for order in self.s.orders.values() for line in order.lines)

    async def delete(self, sku: str) -> None:
        self.s.products.pop(sku, None)
        self.s.stocks.pop(sku, None)


class FakeProductChanges(_Repo):
    async def add(self, change: ProductChange) -> None:
        self.s.product_changes.append(change)

    async def latest(self, sku: str, *, limit: int = 5) -> list[ProductChange]:
        return [c for c in reversed(self.s.product_changes) if c.sku == sku][:limit]


class FakeShopMessages(_Repo):
    async def add(self, message: ShopMessage) -> int:
        message.id = len(self.s.shop_messages) + 1
        self.s.shop_messages.append(message)
        return message.id

    async def get(self, message_id: int) -> ShopMessage | None:
        return next((m for m in self.s.shop_messages if m.id == message_id), None)

    async def relayed_as(self, merchant_message_id: int) -> ShopMessage | None:
        hits = [m for m in self.s.shop_messages if m.merchant_message_id == merchant_message_id]
        return hits[-1] if hits else None

    async def remember_relay(self, message_id: int, merchant_message_id: int) -> None:
        message = await self.get(message_id)
        if message is not None:
            message.merchant_message_id = merchant_message_id

    async def for_order(self, order_number: str, *, limit: int = 20) -> list[ShopMessage]:
        return [m for m in self.s.shop_messages if m.order_number == order_number][-limit:]

    async def count_for_order(self, order_number: str) -> int:
        return sum(
            1
            for m in self.s.shop_messages
            if m.order_number == order_number and m.direction is not Direction.STAFF_NOTE
        )

    async def sent_by_customer_since(self, customer_id: int, since: datetime) -> int:
        return sum(
            1
            for m in self.s.shop_messages
            if m.customer_id == customer_id and m.direction is Direction.FROM_CUSTOMER and m.at > since
        )


class FakeStocks(_Repo):
    async def get(self, sku: str) -> StockLevel | None:
        return self.s.stocks.get(sku)

    async def add(self, level: StockLevel) -> None:
        self.s.stocks[level.sku] = level

    async def save(self, level: StockLevel, audit: StockAudit) -> None:
        self.s.stocks[level.sku] = level
        self.s.audits.append(audit)

    async def reserve(
        self, order_number: str, lines: Sequence[tuple[str, int]], expires_at: datetime
    ) -> list[DomainEvent]:
        for sku, qty in sorted(lines):
            level = self.s.stocks.get(sku)
            available = level.available if level else 0
            if qty > available:
                raise OutOfStock(sku, qty, max(available, 0))
        events: list[DomainEvent] = []
        for sku, qty in sorted(lines):
            level = self.s.stocks[sku]
            level.reserve(qty)
            events += level.events
            level.events.clear()
            self.s.reservations.append(Reservation(order_number, sku, qty, expires_at))
        return events

    def _live(self, order_number: str) -> list[Reservation]:
        return [r for r in self.s.reservations if r.order_number == order_number and r.state.live]

    async def commit(self, order_number: str) -> None:
        for r in self._live(order_number):
            r.state = ReservationState.COMMITTED

    async def release(self, order_number: str) -> None:
        for r in self._live(order_number):
            self.s.stocks[r.sku].release(r.quantity)
            r.state = ReservationState.RELEASED

    async def ship(self, order_number: str) -> list[DomainEvent]:
        events: list[DomainEvent] = []
        for r in self._live(order_number):
            level = self.s.stocks[r.sku]
            level.take_shipped(r.quantity)
            events += level.events
            level.events.clear()
            r.state = ReservationState.SHIPPED
        return events

    async def list_levels(self, *, offset: int = 0, limit: int = 20):
        levels = sorted(self.s.stocks.values(), key=lambda lv: (not lv.is_low, lv.sku))
        return levels[offset : offset + limit], len(levels)


class FakeCustomers(_Repo):
    async def get(self, telegram_id: int) -> Customer | None:
        return self.s.customers.get(telegram_id)

    async def add(self, customer: Customer) -> None:
        self.s.customers[customer.telegram_id] = customer

    async def get_in_dialog(self, telegram_id: int):
        return self.s.customers.get(telegram_id), self.s.dialogs.get(telegram_id)

    async def update(self, customer: Customer, *fields: str) -> None:
        stored = self.s.customers[customer.telegram_id]
        for name in fields:
            setattr(stored, name, getattr(customer, name))

    async def mark_unreachable(self, telegram_id: int) -> bool:
        customer = self.s.customers.get(telegram_id)
        if customer is None or customer.unreachable:
            return False
        customer.unreachable = True
        return True


class FakeCarts(_Repo):
    async def get(self, customer_id: int) -> Cart:
        return self.s.carts.get(customer_id) or Cart(customer_id)

    async def save(self, cart: Cart, *, now: datetime) -> None:
        self.s.carts[cart.customer_id] = cart
        self.s.cart_updated[cart.customer_id] = now


class FakeOrders(_Repo):
    async def add(self, order: Order) -> None:
        if order.number in self.s.orders:
            raise OrderNumberTaken(order.number)
        self.s.orders[order.number] = order

    async def save(self, order: Order) -> None:
        self.s.orders[order.number] = order

    async def get(self, number: str) -> Order | None:
        return self.s.orders.get(number)

    get_for_update = get

    async def list_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        mine = [o for o in self.s.orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda o: o.placed_at, reverse=True)[:limit]

    async def list_by_status(self, statuses, *, offset: int = 0, limit: int = 10):
        wanted = set(statuses)
        hits = sorted((o for o in self.s.orders.values() if o.status in wanted), key=lambda o: o.placed_at)
        return hits[offset : offset + limit], len(hits)

    async def expired_unpaid(self, now: datetime, *, limit: int = 100) -> list[Order]:
        return [
            o
            for o in self.s.orders.values()
            if o.status is OrderStatus.PLACED and o.payment_method.prepaid and o.reserved_until <= now
        ][:limit]


class FakeOutbox(_Repo):
    async def add(self, message: OutboxMessage) -> None:
        if message.held_until is not None:  # a turn's reply: kept apart from the notifications
            self.s.replies.append(message)
            message.id = -len(self.s.replies)
            return
        if message.dedupe_key and any(m.dedupe_key == message.dedupe_key for m in self.s.outbox):
            return
        message.id = len(self.s.outbox) + 1
        self.s.outbox.append(message)

    async def add_replies(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            await self.add(message)


class FakeUpdates(_Repo):
    async def first_time(self, update_id: int, at: datetime, *, failed: bool = False) -> bool:
        if update_id in self.s.updates:
            return False
        self.s.updates.add(update_id)
        entry = self.s.inbox.get(update_id)
        if entry is not None and entry.state == "pending":  # settled with the commit, as storage does
            entry.state, entry.lease_until, entry.leased_by = "failed" if failed else "done", None, None
        return True

    async def first_time_in_dialog(self, update_id: int, at: datetime, telegram_id: int):
        if not await self.first_time(update_id, at):
            return False, None, None
        return True, self.s.customers.get(telegram_id), self.s.dialogs.get(telegram_id)


class FakeDialogs(_Repo):
    async def get(self, user_id: int):
        return self.s.dialogs.get(user_id)

    async def set(self, user_id: int, state: str, data: dict) -> None:
        if self.s.dialogs.get(user_id, (None,))[0] != state:
            self.s.dialog_messages.pop(user_id, None)
        self.s.dialogs[user_id] = (state, dict(data))

    async def clear(self, user_id: int) -> None:
        self.s.dialogs.pop(user_id, None)
        self.s.dialog_messages.pop(user_id, None)

    async def message_of(self, user_id: int) -> int | None:
        return self.s.dialog_messages.get(user_id)

    async def in_states(self, states):
        return [
            (user, state, dict(data)) for user, (state, data) in self.s.dialogs.items() if state in states
        ]


class FakePaymentAttempts(_Repo):
    async def add(self, attempt: PaymentAttempt) -> None:
        attempt.id = len(self.s.payment_attempts) + 1
        self.s.payment_attempts.append(attempt)

    async def save(self, attempt: PaymentAttempt) -> None:
        self.s.payment_attempts[attempt.id - 1] = attempt

    async def latest(self, order_number: str) -> PaymentAttempt | None:
        mine = [a for a in self.s.payment_attempts if a.order_number == order_number]
        return mine[-1] if mine else None

    async def find(self, ref: str) -> PaymentAttempt | None:
        hits = [a for a in self.s.payment_attempts if ref in (a.provider_ref, a.charge_ref, a.refund_ref)]
        return hits[-1] if ref and hits else None

    async def stats(self, since: datetime, until: datetime) -> PaymentStats:
        window = [a for a in self.s.payment_attempts if since <= a.created_at < until]
        return PaymentStats(len(window), sum(1 for a in window if a.outcome.collected))


class FakeWebhookEvents(_Repo):
    async def first_time(self, source: str, event_id: str, at: datetime) -> bool:
        if (source, event_id) in self.s.webhook_events:
            return False
        self.s.webhook_events.add((source, event_id))
        return True


class FakeEarlyRefunds(_Repo):
    async def keep(self, ref: str, refunded_minor: int | None, at: datetime) -> None:
        if ref not in self.s.early_refunds:
            self.s.early_refunds[ref] = refunded_minor
        elif (known := self.s.early_refunds[ref]) is not None:
            self.s.early_refunds[ref] = None if refunded_minor is None else max(known, refunded_minor)

    async def take(self, ref: str) -> tuple[bool, int | None]:
        if ref not in self.s.early_refunds:
            return False, None
        return True, self.s.early_refunds.pop(ref)


class FakeFunnelEvents(_Repo):
    async def record(self, step: FunnelStep, customer_id: int, at: datetime) -> None:
        self.s.funnel.append((FunnelStep(step), customer_id, at))


def _row(refund: PendingRefund) -> PendingRefund:
    """What a refunds row keeps: not the events the refund recorded (they are the unit of work's)."""
    row = copy.deepcopy(refund)
    row.events.clear()
    return row


class FakeRefunds(_Repo):
    async def add(self, refund: PendingRefund) -> bool:
        if any(r.key == refund.key for r in self.s.refunds.values()):
            return False
        refund.id = len(self.s.refunds) + 1
        self.s.refunds[refund.id] = _row(refund)
        return True

    async def get(self, refund_id: int) -> PendingRefund | None:
        refund = self.s.refunds.get(refund_id)
        return copy.deepcopy(refund) if refund else None

    async def due(self, now: datetime, *, limit: int = 20) -> list[PendingRefund]:
        due = [
            r
            for r in self.s.refunds.values()
            if r.state is RefundState.PENDING and (r.next_attempt_at is None or r.next_attempt_at <= now)
        ]
        return [copy.deepcopy(r) for r in sorted(due, key=lambda r: r.id or 0)[:limit]]

    async def for_order(self, order_number: str) -> list[PendingRefund]:
        mine = [r for r in self.s.refunds.values() if r.order_number == order_number]
        return [copy.deepcopy(r) for r in sorted(mine, key=lambda r: r.id or 0)]

    async def save(self, refund: PendingRefund) -> None:
        assert refund.id is not None
        self.s.refunds[refund.id] = _row(refund)


class FakeUnitOfWork:
    """Works on a deep copy of the shared state; commit publishes it, leaving without commit drops it."""

    def __init__(self, shared: MemoryState) -> None:
        self.shared = shared
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.state = copy.deepcopy(self.shared)
        self.categories = FakeCategories(self.state)
        self.products = FakeProducts(self.state)
        self.product_changes = FakeProductChanges(self.state)
        self.shop_messages = FakeShopMessages(self.state)
        self.stocks = FakeStocks(self.state)
        self.customers = FakeCustomers(self.state)
        self.carts = FakeCarts(self.state)
        self.orders = FakeOrders(self.state)
        self.outbox = FakeOutbox(self.state)
        self.updates = FakeUpdates(self.state)
        self.dialogs = FakeDialogs(self.state)
        self.payment_attempts = FakePaymentAttempts(self.state)
        self.webhook_events = FakeWebhookEvents(self.state)
        self.early_refunds = FakeEarlyRefunds(self.state)
        self.funnel = FakeFunnelEvents(self.state)
        self.promos = FakePromos(self.state)
        self.refunds = FakeRefunds(self.state)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.state = None  # type: ignore[assignment]

    async def commit(self) -> None:
        self.shared.__dict__.update(copy.deepcopy(self.state).__dict__)
        self.committed = True

    async def rollback(self) -> None:
        pass


class FakeUnitOfWorkFactory:
    def __init__(self, state: MemoryState | None = None) -> None:
        self.state = state or MemoryState()

    def __call__(self, *, write: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.state)


# -- jobs and outbox relay --------------------------------------------------------------------------


def _free(leases: dict, key: object, now: datetime) -> bool:
    held = leases.get(key)
    return held is None or held[1] < now


class FakeOutboxQueue:
    """The relay's view of `MemoryState.outbox`; each call is applied at once, like a committed row."""

    def __init__(self, state: MemoryState) -> None:
        self.s = state

    async def lease(self, now: datetime, until: datetime, worker: str, *, limit: int = 50):
        due = [
            m
            for m in self.s.outbox
            if m.state is OutboxState.PENDING
            and (m.next_attempt_at is None or m.next_attempt_at <= now)
            and _free(self.s.outbox_leases, m.id, now)
        ]
        due.sort(key=lambda m: (m.next_attempt_at or m.created_at, m.id))
        for m in due[:limit]:
            self.s.outbox_leases[m.id] = (worker, until)
        return [copy.deepcopy(m) for m in due[:limit]]

    def _held(self, message_id: int, worker: str) -> OutboxMessage | None:
        held = self.s.outbox_leases.get(message_id)
        if held is None or held[0] != worker:
            return None
        message = next(m for m in self.s.outbox if m.id == message_id)
        if message.state is not OutboxState.PENDING:
            return None
        del self.s.outbox_leases[message_id]
        return message

    async def mark_sent(
        self, message_id: int, worker: str, now: datetime, *, question: tuple[int, str, int] | None = None
    ) -> bool:
        message = self._held(message_id, worker)
        if message:
            message.state = OutboxState.SENT
            if question is not None and self.s.dialogs.get(question[0], (None,))[0] == question[1]:
                self.s.dialog_messages[question[0]] = question[2]
        return message is not None

    async def postpone(
        self, message_id: int, worker: str, at: datetime, *, error: str = "", payload: dict | None = None
    ) -> bool:
        message = self._held(message_id, worker)
        if message:
            message.next_attempt_at, message.last_error = at, error
            message.payload = message.payload if payload is None else payload
        return message is not None

    async def retry(
        self, message_id: int, worker: str, at: datetime, error: str, *, payload: dict | None = None
    ) -> bool:
        message = self._held(message_id, worker)
        if message:
            message.attempts += 1
            message.next_attempt_at, message.last_error = at, error
            message.payload = message.payload if payload is None else payload
        return message is not None

    async def fail(self, message_id: int, worker: str, error: str) -> bool:
        message = self._held(message_id, worker)
        if message:
            message.attempts += 1
            message.state, message.last_error = OutboxState.FAILED, error
        return message is not None

    async def release_orphans(self, gone) -> int:
        dead = [mid for mid, (worker, _until) in self.s.outbox_leases.items() if gone(worker)]
        for mid in dead:
            del self.s.outbox_leases[mid]
        return len(dead)

    async def fail_chat(self, chat_id: int, error: str) -> int:
        hits = [m for m in self.s.outbox if m.chat_id == chat_id and m.state is OutboxState.PENDING]
        for m in hits:
            m.state, m.last_error = OutboxState.FAILED, error
            self.s.outbox_leases.pop(m.id, None)
        return len(hits)


class FakeShipments:
    """Keyed (order number, tracking number), as the table's unique pair."""

    def __init__(self, state: MemoryState) -> None:
        self.s = state

    async def track(self, shipments: Sequence[Shipment]) -> int:
        new = [s for s in shipments if (s.order_number, s.tracking_number) not in self.s.shipments]
        for s in new:
            self.s.shipments[(s.order_number, s.tracking_number)] = copy.deepcopy(s)
        return len(new)

    async def lease_due(self, now: datetime, until: datetime, worker: str, *, limit: int = 400):
        due = sorted(
            (
                (key, s)
                for key, s in self.s.shipments.items()
                if s.active
                and (s.next_poll_at is None or s.next_poll_at <= now)
                and _free(self.s.shipment_leases, key, now)
            ),
            key=lambda pair: (pair[1].next_poll_at or now, pair[0]),
        )[:limit]
        for key, _s in due:
            self.s.shipment_leases[key] = (worker, until)
        return sorted((copy.deepcopy(s) for _k, s in due), key=lambda s: (s.tracking_number, s.order_number))

    async def save(self, shipment: Shipment, worker: str) -> bool:
        key = (shipment.order_number, shipment.tracking_number)
        held = self.s.shipment_leases.get(key)
        if held is None or held[0] != worker:
            return False
        del self.s.shipment_leases[key]
        self.s.shipments[key] = copy.deepcopy(shipment)
        return True

    def by_number(self, tracking_number: str) -> list[Shipment]:
        return [s for (_order, number), s in self.s.shipments.items() if number == tracking_number]


class FakeStaleCarts:
    def __init__(self, state: MemoryState) -> None:
        self.s = state

    async def claim_idle(
        self, before: datetime, *, after: datetime, now: datetime, limit: int = 200
    ) -> list[StaleCart]:
        hits = sorted(
            (
                StaleCart(cid, at, self.s.carts[cid].item_count)
                for cid, at in self.s.cart_updated.items()
                if after <= at < before
                and cid in self.s.carts
                and not self.s.carts[cid].is_empty
                and (cid not in self.s.cart_reminded or self.s.cart_reminded[cid] < at)
            ),
            key=lambda c: (c.updated_at, c.customer_id),
        )[:limit]
        for cart in hits:
            self.s.cart_reminded[cart.customer_id] = now
        return hits


class FakeInbox:
    """`Inbox` over the shared state: per chat, only the oldest pending update is claimable."""

    def __init__(self, state: MemoryState) -> None:
        self.s = state
        self._slots = None

    async def store(self, update_id: int, chat_id: int | None, payload: dict, now: datetime) -> bool:
        return await self.store_many([(update_id, chat_id, payload)], now) == 1

    async def release_orphans(self, gone) -> int:
        freed = [
            e for e in self.s.inbox.values() if e.state == "pending" and e.leased_by and gone(e.leased_by)
        ]
        for entry in freed:
            entry.lease_until, entry.leased_by = None, None
        return len(freed)

    async def store_many(self, updates: list[tuple[int, int | None, dict]], now: datetime) -> int:
        """Stored; while the slot `claim_along` gives (if any) has room, a new update whose chat has nothing
        pending is taken as it is stored, or (updates waiting) the oldest claimed, as the SQL inbox does."""
        if self._slots is None:
            return len(self._keep(updates, None))
        async with self._slots() as slot:
            waiting = slot is not None and slot.waiting
            stored = self._keep(updates, None if waiting else slot)
            if slot is not None:
                if waiting and slot.limit:
                    slot.claimed = await self.claim(slot.now, slot.until, slot.worker, limit=slot.limit)
                slot.stored = stored
        return len(stored)

    def _keep(self, updates: list[tuple[int, int | None, dict]], slot) -> list[tuple[int, int | None]]:
        stored = []
        for update_id, chat_id, payload in sorted(updates, key=lambda update: update[0]):
            if update_id in self.s.inbox:
                continue
            busy = chat_id is not None and any(
                e.chat_id == chat_id and e.state == "pending" for e in self.s.inbox.values()
            )
            entry = self.s.inbox[update_id] = InboxEntry(chat_id, copy.deepcopy(payload))
            stored.append((update_id, chat_id))
            if slot is not None and not busy and len(slot.claimed) < slot.limit:
                entry.lease_until, entry.leased_by, entry.attempts = slot.until, slot.worker, 1
                slot.claimed.append(InboxUpdate(update_id, chat_id, copy.deepcopy(payload), 1))
        return stored

    def claim_along(self, slots) -> None:
        self._slots = slots

    async def claim(
        self, now: datetime, until: datetime, worker: str, *, limit: int = 16
    ) -> list[InboxUpdate]:
        pending = sorted((uid, e) for uid, e in self.s.inbox.items() if e.state == "pending")
        claimed: list[InboxUpdate] = []
        seen: set[int] = set()
        for update_id, entry in pending:
            first_of_chat = entry.chat_id is None or entry.chat_id not in seen
            if entry.chat_id is not None:
                seen.add(entry.chat_id)
            if not first_of_chat or (entry.lease_until is not None and entry.lease_until > now):
                continue
            entry.lease_until, entry.leased_by, entry.attempts = until, worker, entry.attempts + 1
            claimed.append(
                InboxUpdate(update_id, entry.chat_id, copy.deepcopy(entry.payload), entry.attempts)
            )
            if len(claimed) == limit:
                break
        return claimed

    def _held(self, update_id: int, worker: str) -> InboxEntry | None:
        entry = self.s.inbox.get(update_id)
        return entry if entry is not None and entry.state == "pending" and entry.leased_by == worker else None

    async def finish(self, update_id: int, worker: str) -> bool:
        if (entry := self._held(update_id, worker)) is None:
            return False
        entry.state, entry.lease_until, entry.leased_by = "done", None, None
        return True

    async def retry(self, update_id: int, worker: str, at: datetime) -> bool:
        if (entry := self._held(update_id, worker)) is None:
            return False
        entry.lease_until, entry.leased_by = at, None
        return True

    async def fail(self, update_id: int, worker: str) -> bool:
        if (entry := self._held(update_id, worker)) is None:
            return False
        entry.state, entry.lease_until, entry.leased_by = "failed", None, None
        return True

    async def backlog(self) -> int:
        return sum(1 for e in self.s.inbox.values() if e.state == "pending")
