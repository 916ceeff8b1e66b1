"""The merchant's figures: aggregate queries, the funnel, order export and backlog counts."""
