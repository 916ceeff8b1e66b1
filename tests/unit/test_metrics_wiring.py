"""The counters of /metrics move where things happen: deliveries, job runs, tracking polls, payments."""

from __future__ import annotations

from typing import Any

import pytest

from bot.background.scheduler import _logged
from bot.observability.instrumentation import InstrumentedHandler
from bot.observability.metered import MeteredGateway, MeteredNotifier, MeteredTracking
from bot.observability.metrics import Metrics
from domain import ports
from domain.errors import DeliveryFailed
from domain.ports import TrackingStatus
from handlers.kernel.incoming import Incoming, Kind, Payment
from handlers.kernel.reply import Outcome
from tests.fakes.orders import add_order
from tests.unit.test_poll_tracking import World as TrackingWorld


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


@pytest.mark.parametrize(
    ("wrapper", "port"),
    [
        (MeteredTracking, ports.CarrierTracking),
        (MeteredNotifier, ports.Notifier),
        (MeteredGateway, ports.PaymentGateway),
    ],
)
def test_each_metrics_wrapper_offers_every_method_of_the_port_it_wraps(wrapper, port):
    wanted = {name for name in vars(port) if not name.startswith("_") and callable(getattr(port, name))}
    offered = {name for name in wanted if callable(getattr(wrapper, name, None))}
    assert wanted and offered == wanted


async def test_tracking_through_the_metrics_wrapper_registers_new_parcels_and_tells_the_customer():
    world = TrackingWorld()
    add_order(world.state, world.time, "AAA-3333", customer_id=9, tracking="TRK0003")
    world.carrier.statuses["TRK0003"] = "InTransit"
    metrics = Metrics.create()
    report = await world.poll(MeteredTracking(world.carrier, metrics)).run()
    assert report.errors == [] and "TRK0003" in world.carrier.registered
    assert world.texts(9) == ["Your order AAA-3333 is on its way."]
    assert _value(metrics, 'shopbot_tracking_polls_total{outcome="ok"} 1.0')
