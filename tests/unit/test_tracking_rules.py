from domain.order_status import OrderStatus
from domain.tracking.statuses import outcome_for

S = OrderStatus


def test_each_carrier_status_moves_a_shipped_order_where_the_customer_expects():
    expected = {
        "InfoReceived": (S.IN_TRANSIT, "in_transit"),
        "InTransit": (S.IN_TRANSIT, "in_transit"),
        "OutForDelivery": (S.OUT_FOR_DELIVERY, "out_for_delivery"),
        "AvailableForPickup": (S.OUT_FOR_DELIVERY, "ready_for_pickup"),
        "Delivered": (S.DELIVERED, "delivered"),
        "DeliveryFailure": (S.DELIVERY_EXCEPTION, "problem"),
        "Exception": (S.DELIVERY_EXCEPTION, "problem"),
        "Expired": (S.DELIVERY_EXCEPTION, "problem"),
    }
    for carrier_status, (target, notice) in expected.items():
        outcome = outcome_for(carrier_status, S.SHIPPED)
        assert outcome is not None and (outcome.target, outcome.notice) == (target, notice), carrier_status


def test_ready_for_pickup_carries_a_note():
    assert outcome_for("AvailableForPickup", S.IN_TRANSIT).note == "ready for pickup"


def test_not_found_and_unknown_statuses_change_nothing():
    assert outcome_for("NotFound", S.SHIPPED) is None
    assert outcome_for("Teleported", S.SHIPPED) is None


def test_the_same_status_twice_is_not_a_change():
    assert outcome_for("InTransit", S.IN_TRANSIT) is None
    assert outcome_for("Delivered", S.DELIVERED) is None


def test_problems_are_flagged_for_the_merchant():
    assert outcome_for("Exception", S.IN_TRANSIT).is_problem
    assert not outcome_for("Delivered", S.IN_TRANSIT).is_problem
