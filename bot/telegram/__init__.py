"""Telegram: the connection, both runtimes (python-telegram-bot, aiogram), the update flow, markup,
limits, the webhook route and the notifier that delivers outbox messages."""
