"""Report periods are the shop's local days; rates and averages never divide by zero."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.analytics import ReportPeriod, ReportWindow, percent
from domain.errors import InvalidInput
from tests.unit.analytics.sample import sample_figures, usd

NOW = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)


def test_today_runs_from_local_midnight_to_now():
    window = ReportWindow.for_period(ReportPeriod.TODAY, NOW, "Asia/Shanghai")
    assert window.days == (date(2026, 3, 30),)
    assert window.start == datetime(2026, 3, 29, 16, 0, tzinfo=UTC) and window.end == NOW


def test_seven_days_are_today_and_the_six_before():
    window = ReportWindow.for_period(ReportPeriod.WEEK, NOW)
    assert window.days[0] == date(2026, 3, 24) and window.days[-1] == date(2026, 3, 30)
    assert window.start == datetime(2026, 3, 24, tzinfo=UTC)


def test_days_across_a_clock_change_start_at_local_midnight():
    # Europe/Berlin moves to summer time on 29 March 2026: that local day is 23 hours long.
    window = ReportWindow.last_days(3, NOW, "Europe/Berlin")
    assert window.day_starts == (
        datetime(2026, 3, 27, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("days", [0, -1, 367])
def test_a_period_outside_one_to_366_days_is_refused(days):
    with pytest.raises(InvalidInput):
        ReportWindow.last_days(days, NOW)


def test_rates_are_exact_percentages_and_none_without_attempts():
    assert percent(900, 1000) == Decimal("90.0")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(0, 0) is None


def test_average_order_value_rounds_half_up_to_the_cent_and_is_zero_without_orders():
    figures = sample_figures()
    assert figures.average_order_value == usd(12_597)  # 12,345.00 / 98 = 125.9693...
    assert sample_figures(orders=False).average_order_value == usd(0)
