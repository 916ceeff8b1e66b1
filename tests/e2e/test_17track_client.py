"""The 17TRACK client and the tracking poll over real HTTP against the fake 17TRACK server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.providers.seventeen_track import SeventeenTrackClient
from domain.errors import DeliveryFailed, RetryLater
from domain.order_status import OrderStatus
from domain.tracking.statuses import REJECTED
from jobs.poll_tracking import PollTracking
from tests.fakes.memory import FakeShipments, FakeUnitOfWorkFactory, MemoryState
from tests.fakes.orders import add_order
from tests.fakes.seventeen_track import TOKEN, FakeSeventeenTrack
from tests.fakes.timer import ManualTime

MERCHANT = -100500


@pytest.fixture
async def server():
    fake = FakeSeventeenTrack(rate=20)
    await fake.start()
    yield fake
    await fake.stop()


def _client(server: FakeSeventeenTrack, **options) -> SeventeenTrackClient:
    settings = {"requests_per_second": 20, "backoff_seconds": 0.01, "timeout": 5.0} | options
    return SeventeenTrackClient(TOKEN, server.url, **settings)


async def test_many_numbers_go_in_batches_of_forty_within_the_rate_limit(server):
    client = _client(server)
    numbers = [f"LP{i:08d}CN" for i in range(130)]
    assert await client.register_many([(n, None) for n in numbers]) == {}
    for n in numbers:
        server.statuses[n] = "InTransit"
    statuses = await client.fetch(numbers)
    assert {s.tracking_number for s in statuses} == set(numbers)
    assert {s.status for s in statuses} == {"InTransit"}
    assert server.largest_batch == 40 and server.oversized == 0
    assert server.too_many_requests == 0 and server.requests == 8
    await client.aclose()


async def test_refused_numbers_come_back_with_the_reason_and_do_not_spoil_the_batch(server):
    client = _client(server)
    server.refused["NOPE0000001"] = "Invalid tracking number"
    refused = await client.register_many([("NOPE0000001", None), ("GOOD0000001", "3011")])
    assert refused == {"NOPE0000001": "Invalid tracking number"}
    server.statuses["GOOD0000001"] = "Delivered"
    statuses = {s.tracking_number: s for s in await client.fetch(["NOPE0000001", "GOOD0000001"])}
    assert statuses["NOPE0000001"].status == REJECTED
    assert statuses["GOOD0000001"].status == "Delivered" and statuses["GOOD0000001"].at is not None
    await client.aclose()


async def test_a_registered_number_registered_again_is_not_a_refusal(server):
    client = _client(server)
    await client.register_many([("AGAIN000001", None)])
    assert await client.register_many([("AGAIN000001", None)]) == {}
    await client.aclose()


async def test_a_wrong_api_key_fails_at_once_with_a_clear_message(server):
    client = SeventeenTrackClient("wrong", server.url, backoff_seconds=0.01)
    with pytest.raises(DeliveryFailed, match="SHOPBOT_TRACKING_API_KEY") as caught:
        await client.fetch(["LP00000001CN"])
    assert caught.value.permanent and server.requests == 1
    await client.aclose()


async def test_server_errors_garbled_json_and_timeouts_are_retried(server):
    client = _client(server, timeout=0.3)
    await client.register_many([("RETRY000001", None)])
    server.statuses["RETRY000001"] = "OutForDelivery"
    server.faults.extend(["500", "malformed", "slow"])
    [status] = await client.fetch(["RETRY000001"])
    assert status.status == "OutForDelivery"
    await client.aclose()


async def test_an_answer_of_the_wrong_shape_is_read_as_no_news_not_a_crash(server):
    client = _client(server)
    server.faults.extend(["garbage", "garbage"])
    assert await client.register_many([("G4", None), ("G5", None)]) == {"G4": "refused", "G5": "refused"}
    statuses = {s.tracking_number: s for s in await client.fetch(["G1", "G2", "G3", "G4", "G5"])}
    assert set(statuses) == {"G3", "G4", "G5"}  # G1, G2 and the nested number say nothing usable
    assert statuses["G3"].status == "Delivered" and statuses["G3"].at is None
    assert statuses["G4"].status == REJECTED == statuses["G5"].status
    await client.aclose()


@pytest.mark.parametrize("retry_after", ["86400", "1e300", "inf", "nan", "-5", "soon"])
async def test_a_long_or_nonsense_retry_after_is_handed_back_to_the_caller_not_slept_on(server, retry_after):
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = _client(server, retries=1, sleep=sleep)
    server.faults.extend([f"429:{retry_after}"] * 2)
    with pytest.raises(RetryLater) as caught:
        await client.fetch(["WAIT0000001"])
    assert 0 <= caught.value.seconds <= 24 * 3600
    assert all(0 <= s <= 60 for s in slept)
    await client.aclose()


async def test_an_outage_that_outlasts_the_retries_is_reported_to_the_caller(server):
    client = _client(server, retries=2)
    server.faults.extend(["500"] * 3)
    with pytest.raises(DeliveryFailed, match="HTTP 500"):
        await client.fetch(["DOWN0000001"])
    await client.aclose()


async def test_a_client_going_too_fast_is_told_429_and_backs_off_without_losing_numbers():
    server = FakeSeventeenTrack(rate=4)
    await server.start()
    client = SeventeenTrackClient(
        TOKEN, server.url, requests_per_second=100, retries=10, backoff_seconds=0.05
    )
    numbers = [f"FAST{i:07d}" for i in range(400)]
    assert await client.register_many([(n, None) for n in numbers]) == {}
    assert server.too_many_requests > 0 and len(server.registered) == 400
    await client.aclose()
    await server.stop()


async def test_the_poll_job_over_http_moves_orders_alerts_refusals_once_and_survives_faults(server):
    time = ManualTime()
    uow_factory = FakeUnitOfWorkFactory(MemoryState())
    state = uow_factory.state
    for i in range(90):
        add_order(state, time, f"E{i:02d}-0000", customer_id=300 + i, tracking=f"HTTP{i:06d}")
        server.statuses[f"HTTP{i:06d}"] = "InTransit"
    server.refused["HTTP000089"] = "Carrier not supported"
    client = _client(server, retries=1)
    poll = PollTracking(
        uow_factory,
        FakeShipments(state),
        client,
        time,
        "w1",
        timedelta(minutes=30),
        merchant_chat_id=MERCHANT,
    )
    server.faults.extend(["500", "500", "malformed", "malformed"])  # the first two requests fail for good
    for _ in range(4):
        await poll.run()
        time.advance(hours=1)
    in_transit = [o for o in state.orders.values() if o.status is OrderStatus.IN_TRANSIT]
    assert len(in_transit) == 89
    alerts = [m.payload["text"] for m in state.outbox if m.chat_id == MERCHANT]
    assert len(alerts) == 1 and "HTTP000089" in alerts[0]
    assert server.oversized == 0 and server.too_many_requests == 0
    await client.aclose()
