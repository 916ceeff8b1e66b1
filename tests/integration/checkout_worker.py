"""A separate OS process of checkouts for the multi-process contention test.

    python -m tests.integration.checkout_worker DATABASE_URL FIRST_BUYER COUNT
prints "<placed> <refused>"; every buyer's cart must already hold the contended product.
"""

from __future__ import annotations

import asyncio
import sys

from domain.errors import OutOfStock
from storage.database.engine import create_engine, dispose
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.shops.storage import checkout


async def run_checkouts(uow_factory, buyers) -> tuple[int, int]:
    """Every buyer checks out at once, each in its own unit of work: (placed, refused as out of stock)."""

    async def buy(buyer: int) -> bool:
        async with uow_factory() as uow:
            try:
                await checkout(uow, buyer)
            except OutOfStock:
                return False
            await uow.commit()
            return True

    results = await asyncio.gather(*(buy(b) for b in buyers))
    return sum(results), len(results) - sum(results)


async def _main(url: str, first: int, count: int) -> None:
    engine = create_engine(url)
    try:
        placed, refused = await run_checkouts(
            SqlAlchemyUnitOfWorkFactory(engine), range(first, first + count)
        )
    finally:
        await dispose(engine)
    print(placed, refused)


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
