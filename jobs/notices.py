"""Outbox messages the jobs send: what the customer or the merchant reads, keyed so each goes once.

Customer texts come in the customer's language (English or Chinese); merchant texts in English.
Every message carries a dedupe key: enqueueing the same fact twice (a job run twice, two workers)
stores it once.
"""

from __future__ import annotations

from datetime import datetime

from domain.analytics import Figures
from domain.order import Order
from domain.outbox import OutboxMessage
from domain.tracking import TrackingOutcome
from handlers.reply import Reply
from handlers.stats_text import figures_text

__all__ = [
    "tracking_notice",
    "tracking_problem_alert",
    "rejected_number_alert",
    "low_stock_alert",
    "unanswered_order_reminder",
    "daily_report",
    "cart_reminder",
]

_TRACKING = {
    "en": {
        "in_transit": "Your order {n} is on its way.",
        "out_for_delivery": "Your order {n} is out for delivery today.",
        "ready_for_pickup": "Your order {n} is ready for pickup.",
        "delivered": "Your order {n} was delivered. Enjoy!",
        "problem": "There is a problem delivering your order {n}: {note}. "
        "We are on it and will keep you posted.",
    },
    "zh": {
        "in_transit": "您的订单 {n} 正在运输途中。",
        "out_for_delivery": "您的订单 {n} 今天正在派送。",
        "ready_for_pickup": "您的订单 {n} 已可取件。",
        "delivered": "您的订单 {n} 已送达。",
        "problem": "您的订单 {n} 配送遇到问题：{note}。我们正在处理，会及时通知您。",
    },
}
_CART = {
    "en": "You left {count} item(s) in your cart. They are still waiting for you. "
    "(You can turn these reminders off in your settings.)",
    "zh": "您的购物车里还有 {count} 件商品，随时可以下单。（可在设置中关闭此类提醒。）",
}


def _message(chat_id: int, reply: Reply, now: datetime, key: str) -> OutboxMessage:
    return OutboxMessage(chat_id=chat_id, payload=reply.to_payload(), created_at=now, dedupe_key=key)


def _lang(language: str) -> str:
    return language if language in _TRACKING else "en"


def tracking_notice(order: Order, outcome: TrackingOutcome, language: str, now: datetime) -> OutboxMessage:
    text = _TRACKING[_lang(language)][outcome.notice].format(n=order.number, note=outcome.note)
    key = f"order:{order.number}:track:{len(order.timeline)}:{outcome.notice}"
    return _message(order.customer_id, Reply(text), now, key)


def tracking_problem_alert(order: Order, outcome: TrackingOutcome, detail: str, chat_id: int, now: datetime):
    text = (
        f"⚠️ Delivery problem on order {order.number} ({order.carrier} {order.tracking_number}): "
        f"{outcome.note}. {detail}".strip()
    )
    return _message(chat_id, Reply(text), now, f"order:{order.number}:problem:{len(order.timeline)}")


def rejected_number_alert(order_number: str, tracking_number: str, reason: str, chat_id: int, now: datetime):
    text = (
        f"⚠️ The tracking service refused tracking number {tracking_number} of order {order_number}: "
        f"{reason}. Check the number, or set the delivery status by hand."
    )
    return _message(chat_id, Reply(text), now, f"shipment:{tracking_number}:rejected")


def low_stock_alert(
    sku: str, name: str, available: int, safety: int, chat_id: int, now: datetime
) -> OutboxMessage:
    text = (
        f"📉 Low stock: {name} ({sku}) — {available} available, safety stock {safety}. "
        f"Restock at least {max(safety - available, 1)} to get back to the safety level."
    )
    key = f"stock-low:{sku}:{available}:{safety}:{now:%Y-%m-%d}"
    return _message(chat_id, Reply(text), now, key)


def unanswered_order_reminder(order: Order, waiting_minutes: int, chat_id: int, now: datetime):
    text = (
        f"⏰ Order {order.number} ({order.total}) has waited {waiting_minutes} min for acceptance. "
        "Accept or reject it so the customer knows."
    )
    return _message(chat_id, Reply(text), now, f"order:{order.number}:unanswered")


def daily_report(figures: Figures, chat_id: int, now: datetime) -> OutboxMessage:
    """One local day's figures (`figures.window`), in the lines of /stats under their own title."""
    day = figures.window.days[0]
    text = figures_text(figures, title=f"Yesterday, {day:%d %b %Y}")
    return _message(chat_id, Reply(text), now, f"report:{day.isoformat()}")


def cart_reminder(customer_id: int, language: str, count: int, updated_at: datetime, now: datetime):
    reply = Reply(_CART[_lang(language)].format(count=count))
    return _message(customer_id, reply, now, f"cart:{customer_id}:{updated_at.isoformat()}")
