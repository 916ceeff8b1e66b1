"""Carrier tracking: statuses and what they mean for an order, and tracking numbers as typed."""
