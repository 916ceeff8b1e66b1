"""Merchant analytics: /stats (figures, chart, periods), its text, and /export as CSV."""
