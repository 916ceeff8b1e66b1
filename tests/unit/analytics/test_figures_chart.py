"""The report chart is a real PNG, rendered headless, for busy and for empty periods."""

from __future__ import annotations

import struct

from bot.figures_chart import render_figures_png
from tests.unit.analytics.sample import sample_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC) and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_months_chart_is_a_portrait_png_big_enough_for_a_phone():
    data = render_figures_png(sample_figures(30))
    width, height = png_size(data)
    assert 900 <= width < height <= 1600
    assert len(data) > 20_000


def test_a_single_day_and_an_empty_period_still_render():
    for figures in (sample_figures(1), sample_figures(7, orders=False)):
        assert png_size(render_figures_png(figures))[0] >= 900
