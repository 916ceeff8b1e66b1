"""Small writes that arrive together share one transaction, and each caller gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from storage.queues.coalesce import Coalesced


async def test_items_arriving_while_a_batch_is_written_go_together_in_the_next():
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def write(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) == 1:
            await release.wait()  # the first batch waits for the database (the write lock)
        return [item * 10 for item in items]

    doubled = Coalesced(write)
    first = asyncio.create_task(doubled(1))
    await asyncio.sleep(0)
    later = [asyncio.create_task(doubled(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    assert [await task for task in later] == [20, 30, 40]
    assert batches == [[1], [2, 3, 4]]  # the first at once, not on a timer; the others in one batch


async def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_still_goes():
    calls = 0

    async def write(items: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return [item.upper() for item in items]

    upper = Coalesced(write)
    with pytest.raises(RuntimeError, match="went away"):
        await upper("a")
    assert await upper("b") == "B"
