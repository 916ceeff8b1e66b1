"""Shipment tracking rows on real SQLite and PostgreSQL: tracked once, leased to one poller at a time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.ports import Shipment
from storage.shipments import SqlAlchemyShipments
from tests.integration.databases import KINDS, sessions_for

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=KINDS)
async def shipments(request, tmp_path):
    async with sessions_for(request.param, tmp_path) as sessions:
        yield SqlAlchemyShipments(sessions)


def _parcel(i: int) -> Shipment:
    return Shipment(f"TRK{i:05d}", f"ORD-{i:04d}", "3011", next_poll_at=NOW)


async def test_a_parcel_is_tracked_once_however_often_it_is_offered(shipments):
    assert await shipments.track([_parcel(1), _parcel(2)]) == 2
    assert await shipments.track([_parcel(1), _parcel(2), _parcel(3)]) == 1


async def test_saving_a_poll_result_schedules_the_next_poll_and_frees_the_lease(shipments):
    await shipments.track([_parcel(1)])
    [leased] = await shipments.lease_due(NOW, NOW + timedelta(minutes=5), "a")
    leased.last_status, leased.registered = "InTransit", True
    leased.next_poll_at = NOW + timedelta(minutes=30)
    assert await shipments.save(leased, "a")
    assert await shipments.lease_due(NOW + timedelta(minutes=29), NOW + timedelta(hours=1), "b") == []
    [again] = await shipments.lease_due(NOW + timedelta(minutes=30), NOW + timedelta(hours=1), "b")
    assert (again.last_status, again.registered) == ("InTransit", True)
    assert not await shipments.save(again, "a")  # not a's lease any more


async def test_concurrent_pollers_lease_disjoint_parcels(shipments):
    await shipments.track([_parcel(i) for i in range(300)])

    async def lease(worker: str) -> list[str]:
        got: list[str] = []
        while batch := await shipments.lease_due(NOW, NOW + timedelta(minutes=5), worker, limit=40):
            got += [s.tracking_number for s in batch]
        return got

    results = await asyncio.gather(*(lease(f"w{i}") for i in range(3)))
    numbers = [n for got in results for n in got]
    assert len(numbers) == 300 and len(set(numbers)) == 300


async def test_one_number_on_two_orders_is_two_parcels_each_leased_and_saved(shipments):
    shared = [Shipment("JD014600003828", "ORD-A", None, next_poll_at=NOW)]
    shared.append(Shipment("JD014600003828", "ORD-B", None, next_poll_at=NOW))
    assert await shipments.track(shared) == 2
    assert await shipments.track(shared) == 0
    leased = await shipments.lease_due(NOW, NOW + timedelta(minutes=5), "a")
    assert [(s.order_number, s.tracking_number) for s in leased] == [
        ("ORD-A", "JD014600003828"),
        ("ORD-B", "JD014600003828"),
    ]
    leased[0].active = False
    leased[1].next_poll_at = NOW + timedelta(minutes=30)
    assert await shipments.save(leased[0], "a") and await shipments.save(leased[1], "a")
    [still] = await shipments.lease_due(NOW + timedelta(minutes=30), NOW + timedelta(hours=1), "b")
    assert still.order_number == "ORD-B"
