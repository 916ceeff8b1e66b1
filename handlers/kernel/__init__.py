"""What every conversation shares: the turn (unit of work and reply helpers), incoming events,
neutral replies, shop config, translations, error replies, status texts and the outbox writer
(`handlers.kernel.outbox`, the one module that queues messages). Imports nothing from customer/,
merchant/ or payments/."""
