"""The delivered count reads statuses: that holds only while the state machine keeps these shapes."""

from __future__ import annotations

from domain.order_status import ALLOWED, OrderStatus
from storage.analytics.queries import MAYBE_DELIVERED, WAS_DELIVERED


def reachable(start: OrderStatus) -> set[OrderStatus]:
    seen, todo = {start}, [start]
    while todo:
        for target in ALLOWED[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_a_delivered_order_can_only_end_up_in_a_status_the_figures_look_at():
    assert reachable(OrderStatus.DELIVERED) <= {*WAS_DELIVERED, *MAYBE_DELIVERED}


def test_statuses_counted_as_delivered_without_the_timeline_are_reached_only_through_delivery():
    assert OrderStatus.DELIVERED in WAS_DELIVERED
    for status in set(WAS_DELIVERED) - {OrderStatus.DELIVERED}:
        sources = {source for source, targets in ALLOWED.items() if status in targets}
        assert sources <= {*WAS_DELIVERED}, status
