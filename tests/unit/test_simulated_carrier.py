"""The simulated carrier: a parcel's 17TRACK-style statuses advance with the demo's clock."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.simulated_carrier import SimulatedCarrier
from domain.clock import FixedClock


async def test_a_parcel_moves_one_step_per_clock_step_until_delivered() -> None:
    clock = FixedClock()
    carrier = SimulatedCarrier(clock, step=timedelta(seconds=10))
    assert await carrier.register_many([("DEMO123456", "DHL")]) == {}
    seen = []
    for _ in range(5):
        (status,) = await carrier.fetch(["DEMO123456"])
        seen.append(status.status)
        clock.advance(seconds=10)
    assert seen == ["InfoReceived", "InTransit", "OutForDelivery", "Delivered", "Delivered"]


async def test_a_lost_parcel_ends_in_exception() -> None:
    clock = FixedClock()
    carrier = SimulatedCarrier(clock, step=timedelta(seconds=10))
    await carrier.register("LOST12345")
    clock.advance(seconds=60)
    (status,) = await carrier.fetch(["LOST12345"])
    assert status.status == "Exception" and status.detail


async def test_a_parcel_the_carrier_never_heard_of_starts_its_journey_when_asked_about() -> None:
    clock = FixedClock()
    carrier = SimulatedCarrier(clock, step=timedelta(seconds=10))
    assert carrier.status("JD014600003828").status == "NotFound"
    (status,) = await carrier.fetch(["JD014600003828"])
    assert (status.status, status.at) == ("InfoReceived", clock.now())
