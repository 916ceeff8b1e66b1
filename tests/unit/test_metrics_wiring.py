"""The counters of /metrics move where things happen: deliveries, job runs, tracking polls, payments."""

from __future__ import annotations

from typing import Any

import pytest

from bot.background.scheduler import _logged
from bot.observability.instrumentation import InstrumentedHandler
from bot.observability.metered import MeteredNotifier, MeteredTracking
from bot.observability.metrics import Metrics
from domain.errors import DeliveryFailed
from domain.ports import TrackingStatus
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.kernel.reply import Outcome


def _value(metrics: Metrics, line: str) -> bool:
    return line in metrics.render().decode()


class Notifier:
    def __init__(self) -> None:
        self.fail = False

    async def deliver(self, chat_id: int, payload: dict[str, Any]) -> int | None:
        if self.fail:
            raise DeliveryFailed("telegram is down")
        return 1


async def test_deliveries_and_failed_deliveries_are_counted():
    metrics, inner = Metrics.create(), Notifier()
    notifier = MeteredNotifier(inner, metrics)
    await notifier.deliver(1, {"text": "hi"})
    inner.fail = True
    with pytest.raises(DeliveryFailed):
        await notifier.deliver(1, {"text": "hi"})
    assert _value(metrics, "shopbot_outbox_sent_total 1.0")
    assert _value(metrics, "shopbot_outbox_failures_total 1.0")


async def test_job_runs_are_counted_by_outcome():
    metrics = Metrics.create()

    async def works() -> int:
        return 3

    async def breaks() -> int:
        raise RuntimeError("boom")

    await _logged("low_stock", works, metrics)()
    await _logged("low_stock", breaks, metrics)()
    assert _value(metrics, 'shopbot_job_runs_total{job="low_stock",outcome="ok"} 1.0')
    assert _value(metrics, 'shopbot_job_runs_total{job="low_stock",outcome="error"} 1.0')


async def test_tracking_polls_are_counted():
    class Carrier:
        async def register(self, tracking_number: str, carrier: str | None = None) -> None: ...

        async def fetch(self, numbers: Any) -> list[TrackingStatus]:
            return [TrackingStatus(n, "InTransit") for n in numbers]

    metrics = Metrics.create()
    await MeteredTracking(Carrier(), metrics).fetch(["T1", "T2"])
    assert _value(metrics, 'shopbot_tracking_polls_total{outcome="ok"} 1.0')


async def test_telegram_payment_attempts_and_successes_are_counted():
    metrics = Metrics.create()

    async def shop(event: Incoming) -> Outcome:
        return Outcome(precheckout_ok=True)

    handler = InstrumentedHandler(shop, metrics)
    payment = Payment("order:ABC-1234", "USD", 3000, query_id="q1")
    await handler(Incoming(Kind.PRECHECKOUT, 5, 5, update_id=1, payment=payment))
    await handler(Incoming(Kind.PAYMENT, 5, 5, update_id=2, payment=payment))
    assert _value(metrics, 'shopbot_payment_attempts_total{method="telegram"} 1.0')
    assert _value(metrics, 'shopbot_payment_successes_total{method="telegram"} 1.0')
    assert _value(metrics, 'shopbot_updates_total{outcome="ok",type="precheckout"} 1.0')
