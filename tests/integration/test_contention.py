"""Many buyers, few units: exactly the units on hand are sold, everyone else is told it sold out."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from storage.invariants import find_violations
from tests.conftest import POSTGRES_ONLY
from tests.integration.checkout_worker import run_checkouts
from tests.shops.storage import fill_cart, stock_product

UNITS = 50
BUYERS = 200
ROOT = Path(__file__).resolve().parents[2]


async def _fifty_units_and_carts(uow_factory) -> None:
    async with uow_factory() as uow:
        await stock_product(uow, "LAST-BATCH", on_hand=UNITS)
        for buyer in range(BUYERS):
            await fill_cart(uow, buyer, {"LAST-BATCH": 1})
        await uow.commit()


async def _assert_sold_exactly_the_units(uow_factory) -> None:
    async with uow_factory(write=False) as uow:
        level = await uow.stocks.get("LAST-BATCH")
        assert (level.on_hand, level.reserved, level.available) == (UNITS, UNITS, 0)
        assert await find_violations(uow.session) == []


async def test_200_concurrent_checkouts_for_50_units_sell_exactly_50(uow_factory):
    await _fifty_units_and_carts(uow_factory)

    placed, refused = await run_checkouts(uow_factory, range(BUYERS))

    assert (placed, refused) == (UNITS, BUYERS - UNITS)
    await _assert_sold_exactly_the_units(uow_factory)


@pytest.mark.postgres
@POSTGRES_ONLY
async def test_four_processes_checking_out_at_once_sell_exactly_50(uow_factory, database_url):
    await _fifty_units_and_carts(uow_factory)
    per_process = BUYERS // 4
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.checkout_worker",
            database_url,
            str(first),
            str(per_process),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )
        for first in range(0, BUYERS, per_process)
    ]
    outputs = [await worker.communicate() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0]
    counts = [tuple(map(int, out.split())) for out, _ in outputs]

    assert sum(p for p, _ in counts) == UNITS
    assert sum(r for _, r in counts) == BUYERS - UNITS
    await _assert_sold_exactly_the_units(uow_factory)
