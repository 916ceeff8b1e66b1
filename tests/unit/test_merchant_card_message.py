"""The relay remembers which Telegram message is an order's card, so staff moves edit it in place."""

from __future__ import annotations

import itertools

from bot.background.outbox_relay import OutboxRelay
from bot.flood_control import FloodControl
from bot.wiring.merchant import remember_cards_with
from tests.fakes.memory import FakeOutboxQueue
from tests.shops.merchant import MERCHANT_CHAT, desk_for, paid_order


class CountingNotifier:
    """Telegram's answer to each send: a new message id."""

    def __init__(self) -> None:
        self.ids = itertools.count(4000)
        self.sent: list[tuple[int, dict]] = []

    async def deliver(self, chat_id: int, payload: dict) -> int:
        self.sent.append((chat_id, payload))
        return next(self.ids)


async def test_the_sent_card_message_id_is_stored_on_the_order(shop, clock):
    order = await paid_order(shop, clock, desk_for(), **{"TEA-BLACK": 1})
    notifier = CountingNotifier()
    flood = FloodControl(per_second=1000, private_per_second=1000, group_per_minute=60_000)
    relay = OutboxRelay(
        FakeOutboxQueue(shop.state), notifier, flood, clock, on_sent=remember_cards_with(shop)
    )

    await relay.run_once()

    [card_id] = [n for n, (chat, payload) in enumerate(notifier.sent, 4000) if chat == MERCHANT_CHAT]
    assert "Accept" in str(notifier.sent[card_id - 4000][1]["buttons"])
    assert shop.state.orders[order.number].merchant_message_id == card_id
