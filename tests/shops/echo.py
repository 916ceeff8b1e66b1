"""A small EventHandler for runtime tests: each kind of event gets an answer that shows what arrived."""

from __future__ import annotations

import asyncio

from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Button, Document, Invoice, Outcome, Reply

__all__ = ["EchoShop", "PHOTO_URL", "FILE_ID", "MERCHANT_CHAT", "LONG_LINES"]

PHOTO_URL = "https://shop.example/mug.jpg"
MERCHANT_CHAT = -1001
FILE_ID = "AgACAgIAAxkBAAIBYmZ"  # a photo Telegram already holds
LONG_LINES = [f"• Product {i} with a long name × 99 = $1,234.50" for i in range(200)]  # past 4096
CHART_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # an image made on the fly


class EchoShop:
    def __init__(self, photo_path: str = "") -> None:
        self.events: list[Incoming] = []
        self.photo_path = photo_path
        self.gates: dict[str, asyncio.Event] = {}  # text → the handler waits until the test sets it
        self.arrivals: asyncio.Queue[Incoming] = asyncio.Queue()

    def gate(self, text: str) -> asyncio.Event:
        return self.gates.setdefault(text, asyncio.Event())

    async def __call__(self, event: Incoming) -> Outcome:
        self.events.append(event)
        self.arrivals.put_nowait(event)
        if event.kind is Kind.TEXT and event.text in self.gates:
            await self.gates[event.text].wait()
        if event.action == "crash" or (event.payment and event.payment.payload == "crash"):
            raise RuntimeError("handler bug")
        return _ANSWERS[event.kind](self, event)

    async def arrived(self) -> Incoming:
        return await asyncio.wait_for(self.arrivals.get(), 5)

    def text(self, event: Incoming) -> Outcome:
        special = {
            "photo": Reply("A mug", photo=PHOTO_URL),
            "photo card": Reply("A mug", photo=PHOTO_URL, buttons=((Button("Add", action="add:mug"),),)),
            "local photo": Reply("From disk", photo=self.photo_path),
            "known photo": Reply("Seen before", photo=FILE_ID),
            "chart": Reply("Last 7 days", photo_bytes=CHART_PNG),
            "phone": Reply("Share your phone", buttons=((Button("Share phone", request_contact=True),),)),
            "invoice": Reply("", invoice=Invoice("Order 7", "2 mugs", "order-7", "EUR", (("Mugs", 2400),))),
            "report": Reply("", document=Document("report.csv", b"sku,qty\nmug,2\n", caption="Today")),
            "tell merchant": Reply("New order 7", chat_id=MERCHANT_CHAT),
            "boom": Reply(""),  # Telegram refuses an empty text
            "long": Reply("Your cart:\n" + "\n".join(LONG_LINES) + "\nTotal: $9,999.00"),
            "long photo": Reply("A mug\n" + "Glazed by hand. " * 150, photo=PHOTO_URL),
        }
        if event.text.startswith("shipped "):
            card = int(event.text.split()[1])
            return Outcome([Reply("Order 7: shipped", chat_id=MERCHANT_CHAT, edit_message_id=card)])
        if event.text in special:
            replies = [special[event.text]]
            if event.text == "boom":
                replies.append(Reply("still here"))
            return Outcome(replies)
        buttons = ((Button("Add to cart", action="add:mug"), Button("Site", url="https://shop.example")),)
        return Outcome([Reply(f"echo: {event.text} [{event.language_code}]", buttons=buttons)])

    def command(self, event: Incoming) -> Outcome:
        return Outcome([Reply(f"command {event.text} args={event.args!r}")])

    def button(self, event: Incoming) -> Outcome:
        if event.action == "same":
            return Outcome([Reply(self.current_text(event), edit=True)], answer="nothing changed")
        if event.action == "alert":
            return Outcome(answer="Sold out", alert=True)
        return Outcome([Reply(f"added {event.action}", edit=True)], answer="Added")

    def current_text(self, event: Incoming) -> str:
        return next(
            e.text for e in reversed(self.events) if e.kind is Kind.TEXT and e.user_id == event.user_id
        )

    def contact(self, event: Incoming) -> Outcome:
        return Outcome([Reply(f"phone ending {event.phone[-4:]}", remove_keyboard=True)])

    def precheckout(self, event: Incoming) -> Outcome:
        assert event.payment is not None
        if event.payment.payload == "order-7":
            return Outcome(precheckout_ok=True)
        return Outcome(precheckout_ok=False, precheckout_error="Sorry, the last mug was just sold.")

    def payment(self, event: Incoming) -> Outcome:
        paid = event.payment
        assert paid is not None
        return Outcome([Reply(f"paid {paid.total_amount} {paid.currency} for {paid.payload}")])

    def other(self, event: Incoming) -> Outcome:
        return Outcome([Reply("I can only read text and buttons.")])


_ANSWERS = {
    Kind.TEXT: EchoShop.text,
    Kind.COMMAND: EchoShop.command,
    Kind.BUTTON: EchoShop.button,
    Kind.CONTACT: EchoShop.contact,
    Kind.PRECHECKOUT: EchoShop.precheckout,
    Kind.PAYMENT: EchoShop.payment,
    Kind.OTHER: EchoShop.other,
}
