"""Clients of outside services: Stripe (gateway and webhook), 17TRACK, and manual tracking."""
