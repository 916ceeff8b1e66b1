"""Composition root and adapters."""
