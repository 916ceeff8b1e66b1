"""A scripted customer talking to the app: send text, commands, contacts; press buttons by their label."""

from __future__ import annotations

import itertools
from datetime import datetime

from domain.clock import FixedClock
from handlers.kernel.incoming import EventHandler, Incoming, Kind, Payment
from handlers.kernel.reply import Button, Invoice, Outcome

__all__ = ["Chat"]

_update_ids = itertools.count(1000)
START = FixedClock().now()


def _total(invoice: Invoice) -> int:
    return sum(amount for _label, amount in invoice.prices)


class Chat:
    def __init__(
        self,
        app: EventHandler,
        user_id: int,
        *,
        language_code: str = "en",
        name: str = "Alice",
        chat_id: int | None = None,  # a group's id (negative) for a user writing in a group
    ):
        self.app = app
        self.user_id = user_id
        self.chat_id = user_id if chat_id is None else chat_id
        self.language_code = language_code
        self.name = name
        self.last = Outcome()

    async def _send(self, kind: Kind, **fields: object) -> Outcome:
        event = Incoming(
            kind=kind,
            user_id=self.user_id,
            chat_id=self.chat_id,
            update_id=next(_update_ids),
            language_code=self.language_code,
            user_name=self.name,
            private=self.chat_id == self.user_id,
            **fields,  # type: ignore[arg-type]
        )
        self.last = await self.app(event)
        return self.last

    async def send(self, text: str) -> Outcome:
        return await self._send(Kind.TEXT, text=text)

    async def command(self, name: str, args: str = "") -> Outcome:
        return await self._send(Kind.COMMAND, text=name, args=args)

    async def contact(self, phone: str) -> Outcome:
        return await self._send(Kind.CONTACT, phone=phone, contact_user_id=self.user_id)

    async def sticker(self) -> Outcome:
        return await self._send(Kind.OTHER)

    async def press_data(self, data: str) -> Outcome:
        return await self._send(Kind.BUTTON, action=data, message_id=1)

    async def precheckout(self, invoice: Invoice, *, total: int | None = None) -> Outcome:
        """The customer pressed Pay on `invoice`: Telegram asks whether it can still be paid."""
        amount = _total(invoice) if total is None else total
        return await self._send(Kind.PRECHECKOUT, payment=Payment(invoice.payload, invoice.currency, amount))

    async def pay(self, invoice: Invoice, *, charge: str = "tg_charge_1") -> Outcome:
        """Telegram reports the successful payment of `invoice`."""
        payment = Payment(
            invoice.payload,
            invoice.currency,
            _total(invoice),
            telegram_charge_id=charge,
            provider_charge_id=f"ch_{charge}",
        )
        return await self._send(Kind.PAYMENT, payment=payment)

    def invoice(self) -> Invoice:
        [invoice] = [reply.invoice for reply in self.last.replies if reply.invoice is not None]
        return invoice

    def link(self, label: str) -> str:
        """The url of the link button whose label contains `label`."""
        matches = [b.url for b in self.buttons() if label in b.label and b.url]
        assert matches, f"no link {label!r} in {self.labels()}"
        return matches[0]

    def buttons(self) -> list[Button]:
        return [b for reply in self.last.replies for row in reply.buttons for b in row]

    def labels(self) -> list[str]:
        return [b.label for b in self.buttons()]

    def find(self, label: str) -> Button:
        matches = [b for b in self.buttons() if label in b.label and b.action]
        assert matches, f"no button {label!r} in {self.labels()}"
        return matches[0]

    async def press(self, label: str) -> Outcome:
        return await self.press_data(self.find(label).action or "")

    @property
    def text(self) -> str:
        """Everything the user was shown by the last event, toast included."""
        parts = [reply.text for reply in self.last.replies]
        if self.last.answer:
            parts.append(self.last.answer)
        return "\n".join(parts)


async def fill_cart(uow_factory, user_id: int, lines: dict[str, int], *, now: datetime = START) -> None:
    async with uow_factory() as uow:
        cart = await uow.carts.get(user_id)
        for sku, qty in lines.items():
            cart.add(sku, qty)
        await uow.carts.save(cart, now=now)
        await uow.commit()


async def check_out(chat: Chat, *, delivery: str = "Standard") -> Outcome:
    """From a filled cart to the review, answering every step correctly (a returning customer starts at
    the review with their last details: only the delivery is changed when it differs)."""
    await chat.command("checkout")
    if "✏" not in " ".join(chat.labels()):  # not the review: a first checkout asks every question
        await chat.send("Alice Smith")
        await chat.contact("+1 202 555 0100")
        await chat.press(delivery)
        if delivery == "Standard":
            await chat.send("12 Main St, Springfield, 12345, US")
    elif f"Delivery: {delivery}" not in chat.text:
        await chat.press("✏ Delivery")
        await chat.press(delivery)
        if "The delivery address" in chat.text:
            await chat.send("12 Main St, Springfield, 12345, US")
    return chat.last


async def _numbers(uow_factory, user_id: int) -> set[str]:
    async with uow_factory() as uow:
        return {order.number for order in await uow.orders.list_for_customer(user_id, limit=100)}


async def place_order(
    chat: Chat, uow_factory, lines: dict[str, int], *, pay: str = "Cash on delivery"
) -> str:
    """Fill the cart, check out with cash on delivery; the new order's number."""
    before = await _numbers(uow_factory, chat.user_id)
    await fill_cart(uow_factory, chat.user_id, lines)
    await check_out(chat)
    await chat.press(pay)
    [number] = await _numbers(uow_factory, chat.user_id) - before
    return number


__all__ += ["fill_cart", "check_out", "place_order"]
