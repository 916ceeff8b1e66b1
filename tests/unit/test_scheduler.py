from bot.background.scheduler import JobContext, build_scheduler
from bot.providers.manual_tracking import ManualTracking
from bot.settings import Settings
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
