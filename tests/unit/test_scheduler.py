import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.background.scheduler import JobContext, _logged, build_scheduler
from bot.observability.metrics import Metrics
from bot.providers.manual_tracking import ManualTracking
from bot.settings import Settings
from bot.wiring.background import Background
from tests.fakes.memory import (
    FakeShipments,
    FakeStaleCarts,
    FakeUnitOfWorkFactory,
    MemoryState,
)
from tests.fakes.timer import ManualTime
from tests.unit.analytics.sample import SampleShopFigures


def _context(**overrides) -> JobContext:
    state = MemoryState()
    settings = Settings(_env_file=None, merchant_chat_id=-100, timezone="Asia/Shanghai", daily_report_hour=9)
    parts = {
        "settings": settings,
        "uow_factory": FakeUnitOfWorkFactory(state),
        "clock": ManualTime(),
        "worker": "test",
        "shipments": FakeShipments(state),
        "tracking": ManualTracking(),
        "figures": SampleShopFigures(),
        "stale_carts": FakeStaleCarts(state),
    } | overrides
    return JobContext(**parts)


async def test_every_job_is_planned_once_never_overlapping_itself_and_coalescing_missed_runs():
    scheduler = build_scheduler(_context(), misfire_grace_seconds=30)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) >= {
            "low_stock",
            "unanswered_orders",
            "complete_delivered",
            "staff_prompts",
            "poll_tracking",
            "daily_report",
            "abandoned_carts",
        }
        assert all(j.coalesce and j.max_instances == 1 and j.misfire_grace_time == 30 for j in jobs.values())
        assert str(jobs["daily_report"].trigger.timezone) == "Asia/Shanghai"
        assert "hour='9'" in str(jobs["daily_report"].trigger)
    finally:
        scheduler.shutdown(wait=False)


async def test_without_a_tracking_provider_there_is_no_polling_and_a_missing_job_module_is_skipped():
    scheduler = build_scheduler(_context(tracking=None))
    scheduler.start(paused=True)
    try:
        ids = {job.id for job in scheduler.get_jobs()}
        assert "poll_tracking" not in ids
        assert "low_stock" in ids  # the rest still runs (expire_reservations is scheduled once it exists)
    finally:
        scheduler.shutdown(wait=False)


async def test_the_daily_report_as_scheduled_reaches_the_merchant_chat_in_the_shops_zone():
    metrics = Metrics.create()
    context = _context(metrics=metrics)
    scheduler = build_scheduler(context)
    scheduler.start(paused=True)
    try:
        await scheduler.get_job("daily_report").func()
    finally:
        scheduler.shutdown(wait=False)
    [report] = [m for m in context.uow_factory.state.outbox if m.chat_id == -100]
    assert "Yesterday, " in report.payload["text"]
    assert 'shopbot_job_runs_total{job="daily_report",outcome="ok"} 1.0' in metrics.render().decode()


@pytest.mark.parametrize(("report_hour", "report_at_start"), [(0, True), (23, False)])
async def test_every_interval_job_runs_as_the_scheduler_starts_and_a_missed_daily_report_too(
    report_hour, report_at_start
):
    settings = Settings(_env_file=None, merchant_chat_id=-100, timezone="UTC", daily_report_hour=report_hour)
    clock = ManualTime()
    clock.set(clock.now().replace(hour=12))
    scheduler = build_scheduler(_context(settings=settings, clock=clock))
    scheduler.start(paused=True)
    try:
        soon = datetime.now(UTC) + timedelta(seconds=5)
        due = {job.id for job in scheduler.get_jobs() if job.next_run_time <= soon}
    finally:
        scheduler.shutdown(wait=False)
    assert due >= {"low_stock", "unanswered_orders", "complete_delivered", "poll_tracking", "abandoned_carts"}
    assert ("daily_report" in due) is report_at_start


async def test_a_tracking_poll_that_changed_nothing_logs_job_done_only_at_debug(capsys):
    from bot.observability.logs import configure_logging
    from jobs.poll_tracking import PollReport

    job = build_scheduler(_context()).get_job("poll_tracking").func
    configure_logging("INFO", "json")
    await job()  # nothing shipped: polls nothing, changes nothing
    assert "job_done" not in capsys.readouterr().err
    configure_logging("DEBUG", "json")
    await job()
    assert "job_done job=poll_tracking" in capsys.readouterr().err
    assert not PollReport(polled=40) and PollReport(polled=40, changed=1) and PollReport(errors=["x"])


async def test_stopping_lets_a_job_run_in_progress_finish_instead_of_cancelling_it(caplog):
    background = Background(relay=None, scheduler=AsyncIOScheduler(timezone="UTC"))
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def parcel_poll() -> int:
        started.set()
        await release.wait()  # a request to the carrier, then the database write
        finished.append("saved")
        return 1

    job = _logged("poll_tracking", parcel_poll, runs=background.runs)
    background.scheduler.add_job(job, "interval", seconds=60, next_run_time=datetime.now(UTC))
    background.scheduler.start()
    await asyncio.wait_for(started.wait(), 5)
    stopping = asyncio.create_task(background.stop())
    await asyncio.sleep(0)
    assert not stopping.done()  # waits for the run in progress
    release.set()
    await asyncio.wait_for(stopping, 5)
    assert finished == ["saved"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
