"""Checkout: the form (state table), its steps, the review, and compensation after a failed start."""
