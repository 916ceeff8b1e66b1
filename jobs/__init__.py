"""Scheduled entry points; each opens its own unit of work."""
