"""Catalog: categories and products, their change history, and stock rules."""
