"""The customer's conversations: start, catalog, cart, orders, tracking and checkout."""
