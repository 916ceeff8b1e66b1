"""A serving process's collector, once settled, leaves start-up's objects alone and still frees cycles."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.processes.collector import YOUNG_THRESHOLD, settle_collector


@pytest.fixture
def settled() -> Iterator[None]:
    threshold = gc.get_threshold()
    settle_collector()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_what_start_up_left_alive_is_kept_out_of_every_collection(settled: None):
    assert gc.get_freeze_count() > 10_000  # the test process's modules, classes, functions...
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_cyclic_garbage_made_while_serving_is_still_freed_without_an_explicit_collection(settled: None):
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    assert gone() is not None  # a cycle: reference counting alone never frees it

    churn = [[] for _ in range(3 * YOUNG_THRESHOLD)]  # a busy while of new containers
    del churn

    assert gone() is None
