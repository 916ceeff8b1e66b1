"""Replies past Telegram's length limits are shortened to fit, never refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.limits import CAPTION_LIMIT, TEXT_LIMIT, fit


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # how Telegram counts


@given(st.text(alphabet=st.sampled_from("ab \n🙂中"), max_size=6000), st.sampled_from([20, CAPTION_LIMIT]))
def test_whatever_the_text_the_result_fits_and_a_text_that_fits_is_untouched(text, limit):
    shown = fit(text, limit)
    assert _units(shown) <= limit
    assert shown == text or _units(text) > limit


def test_a_long_list_keeps_its_first_lines_and_its_total():
    lines = [f"• Tea {i} × 99 = $1,234.50" for i in range(300)]
    shown = fit("Your cart:\n" + "\n".join(lines) + "\nTotal: $370,350.00")
    assert _units(shown) <= TEXT_LIMIT
    assert shown.startswith(f"Your cart:\n{lines[0]}\n") and shown.endswith(
        f"{lines[-1]}\nTotal: $370,350.00"
    )
    assert "\n…\n" in shown


def test_one_long_paragraph_is_cut_where_the_room_ends():
    assert fit("A mug. " * 200, CAPTION_LIMIT) == ("A mug. " * 200)[: CAPTION_LIMIT - 1] + "…"
