"""Benchmark: one tracking poll cycle over N shipments against the fake 17TRACK on loopback.

The fake enforces 40 numbers per request and a request rate (answering 429 above it); the client
spaces requests to the same rate. The floor for one status cycle is N / 40 / rate seconds (10,000
parcels at 3 req/s: 83.3 s). Run at a scaled-up rate to keep wall time short:

    PYTHONPATH=. python bench/tracking_cycle.py --shipments 10000 --rate 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from datetime import timedelta

from bot.providers.seventeen_track import SeventeenTrackClient
from domain.ports import Shipment
from jobs.poll_tracking import BATCH, PollTracking
from tests.fakes.memory import FakeShipments, FakeUnitOfWorkFactory, MemoryState
from tests.fakes.seventeen_track import TOKEN, FakeSeventeenTrack
from tests.fakes.timer import ManualTime


async def main(shipments: int, rate: float) -> None:
    server = FakeSeventeenTrack(rate=rate)
    await server.start()
    clock = ManualTime()  # job time (poll schedule); the client's rate limiting uses real time
    state = MemoryState()  # shipments only; the units of work below see an empty shop
    store = FakeShipments(state)
    numbers = [f"BENCH{i:08d}" for i in range(shipments)]
    await store.track(
        [Shipment(n, f"ORD-{i}", None, next_poll_at=clock.now()) for i, n in enumerate(numbers)]
    )
    for n in numbers:
        server.statuses[n] = "InTransit"
    client = SeventeenTrackClient(TOKEN, server.url, requests_per_second=rate)
    poll = PollTracking(
        FakeUnitOfWorkFactory(MemoryState()),
        store,
        client,
        clock,
        "bench",
        timedelta(minutes=30),
        max_per_run=shipments,
    )
    # Orders are not in storage here: every status is applied to a missing order (closed), so the
    # cycle measures the provider round trips, batching and rate limiting, not order updates.
    started = time.perf_counter()
    first = await poll.run()
    first_s = time.perf_counter() - started
    first_requests = server.requests
    for shipment in state.shipments.values():  # poll them all again, now registered
        shipment.active, shipment.next_poll_at = True, clock.now()
    started = time.perf_counter()
    await poll.run()
    cycle_s = time.perf_counter() - started
    bound = shipments / BATCH / rate
    print(f"hardware: {os.cpu_count()} cores, python {platform.python_version()}, {platform.machine()}")
    print(f"shipments={shipments} batch={BATCH} rate={rate}/s (fake enforces it: 429 above)")
    print(
        f"first cycle (register + fetch): {first_s:.1f} s, {first_requests} requests, polled {first.polled}"
    )
    print(f"steady cycle (fetch only): {cycle_s:.1f} s, {server.requests - first_requests} requests")
    print(f"bound N/40/rate = {bound:.1f} s; steady cycle / bound = {cycle_s / bound:.2f}")
    print(
        f"largest batch {server.largest_batch}, oversized {server.oversized}, 429s {server.too_many_requests}"
    )
    await client.aclose()
    await server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--shipments", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.shipments, args.rate))
