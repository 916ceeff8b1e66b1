"""Payments: attempts, refunds owed, and what an integer amount means to each provider."""
