"""Carrier tracking in domain terms: 17TRACK's main statuses and what each means for an order.

Pure rules: which order status a carrier status leads to, and whether the customer hears about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.order_status import OrderStatus

__all__ = ["CarrierStatus", "TrackingOutcome", "outcome_for", "REJECTED", "UNREGISTERED"]

# Not 17TRACK statuses: what a provider says about a number instead of a status (see CarrierTracking).
REJECTED = "Rejected"  # refused for good (invalid number, unsupported carrier)
UNREGISTERED = "Unregistered"  # unknown to the provider: register it again


class CarrierStatus(StrEnum):
    """17TRACK API v2.2 `track_info.latest_status.status` values."""

    NOT_FOUND = "NotFound"
    INFO_RECEIVED = "InfoReceived"
    IN_TRANSIT = "InTransit"
    EXPIRED = "Expired"
    AVAILABLE_FOR_PICKUP = "AvailableForPickup"
    OUT_FOR_DELIVERY = "OutForDelivery"
    DELIVERY_FAILURE = "DeliveryFailure"
    DELIVERED = "Delivered"
    EXCEPTION = "Exception"


@dataclass(frozen=True, slots=True)
class TrackingOutcome:
    """Where the order should be, and the notice key the customer gets when it moves there."""

    target: OrderStatus
    notice: str  # "in_transit", "out_for_delivery", "ready_for_pickup", "delivered", "problem"
    note: str = ""

    @property
    def is_problem(self) -> bool:
        return self.target is OrderStatus.DELIVERY_EXCEPTION


_S = CarrierStatus
_O = OrderStatus
_MAP: dict[CarrierStatus, TrackingOutcome] = {
    _S.INFO_RECEIVED: TrackingOutcome(_O.IN_TRANSIT, "in_transit"),
    _S.IN_TRANSIT: TrackingOutcome(_O.IN_TRANSIT, "in_transit"),
    _S.OUT_FOR_DELIVERY: TrackingOutcome(_O.OUT_FOR_DELIVERY, "out_for_delivery"),
    _S.AVAILABLE_FOR_PICKUP: TrackingOutcome(_O.OUT_FOR_DELIVERY, "ready_for_pickup", "ready for pickup"),
    _S.DELIVERED: TrackingOutcome(_O.DELIVERED, "delivered"),
    _S.DELIVERY_FAILURE: TrackingOutcome(_O.DELIVERY_EXCEPTION, "problem", "delivery failed"),
    _S.EXCEPTION: TrackingOutcome(_O.DELIVERY_EXCEPTION, "problem", "carrier reported a problem"),
    _S.EXPIRED: TrackingOutcome(_O.DELIVERY_EXCEPTION, "problem", "tracking expired without delivery"),
}


def outcome_for(carrier_status: str, current: OrderStatus) -> TrackingOutcome | None:
    """The move a carrier status asks for, or None: unknown status, NotFound, or nothing changes.

    "Nothing changes" also covers a repeat of the status the order already has, so polling the same
    status twice never messages the customer twice. A pickup notice is the exception: an order that is
    out for delivery and becomes ready for pickup has no new status, so it is not announced again either.
    """
    try:
        status = CarrierStatus(carrier_status)
    except ValueError:
        return None
    outcome = _MAP.get(status)
    if outcome is None or outcome.target is current:
        return None
    return outcome
