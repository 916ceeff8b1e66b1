"""The shops tests and benchmarks build: one place to look for a ready shop.

- `storage`: a shop on real SQLite/PostgreSQL storage (integration tests)
- `merchant`: the merchant desk over in-memory fakes
- `echo`: a minimal event handler for runtime tests
- `webhook`: a `shopbot run` webhook process and its shoppers (e2e)
- `miniapp`: a running shop for the Mini App browser tests
"""
