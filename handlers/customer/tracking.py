"""Where is my parcel? /track, or free text asking it in English or Chinese."""

from __future__ import annotations

import re

from domain.order import Order
from domain.services import order_for_customer
from handlers.actions.customer import Menu, MyOrders, ShowOrder, TrackOrder
from handlers.customer.orders import tracking_lines
from handlers.kernel.reply import Button, Outcome
from handlers.kernel.status_text import status_label, tracking_url
from handlers.kernel.turn import Rows, Turn

__all__ = ["COMMANDS", "ROUTES", "is_track_intent", "track"]

_INTENT = re.compile(
    r"\b(where('?s| is| are)\b.*\b(order|parcel|package|delivery)s?\b|"
    r"track(ing)?( (my|the|an?))? (order|parcel|package|delivery)|^track$|order status|"
    r"status of my order|has my order shipped|when will .* arrive)"
    r"|快递|包裹|物流|订单状态|订单到哪|到哪了|发货了吗|什么时候到",
    re.IGNORECASE,
)


def is_track_intent(text: str) -> bool:
    return len(text) <= 200 and _INTENT.search(text) is not None


def _status_text(turn: Turn, order: Order) -> tuple[str, Rows]:
    _ = turn._
    status = status_label(order.status, turn.language)
    lines = [_("Order {number}: {status}").format(number=order.number, status=status)]
    lines += [line for line in tracking_lines(turn, order) if not line.startswith("http")]
    if not order.tracking_number:
        lines.append(_("It has not shipped yet; I will message you with the tracking number when it does."))
    rows: Rows = []
    url = tracking_url(order, turn.language)
    if url:
        rows.append([Button(_("🔎 Track parcel"), url=url)])
    rows.append([turn.button(_("Order details"), ShowOrder(order.number)), turn.button("⬅", Menu())])
    return "\n".join(lines), rows


async def track(turn: Turn, _action: object = None) -> Outcome:
    _ = turn._
    orders = await turn.uow.orders.list_for_customer(turn.user_id, limit=20)
    open_orders = [o for o in orders if o.is_open]
    if not open_orders:
        rows = [[turn.button(_("📦 My orders"), MyOrders()), turn.button("⬅", Menu())]]
        return turn.say(_("You have no open orders right now."), rows)
    if len(open_orders) == 1:
        return turn.say(*_status_text(turn, open_orders[0]))
    rows = [
        [turn.button(f"{o.number} · {status_label(o.status, turn.language)}", TrackOrder(o.number))]
        for o in open_orders
    ]
    return turn.say(_("You have several open orders. Which one?"), rows)


async def track_one(turn: Turn, action: TrackOrder) -> Outcome:
    order = await order_for_customer(turn.uow, action.number, turn.user_id)
    return turn.say(*_status_text(turn, order))


COMMANDS = {"track": track}

ROUTES = {TrackOrder: track_one}
