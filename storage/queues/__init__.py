"""Leased work queues: the Telegram inbox, the outbox queue, leases and the workers holding them."""
