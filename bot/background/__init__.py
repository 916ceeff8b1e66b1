"""What runs beside the updates: the outbox relay, the inbox processor and the job scheduler."""
