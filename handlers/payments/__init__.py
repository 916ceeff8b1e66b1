"""Payment methods, settlement, receipts and alerts, refunds, Telegram payments and Stripe events."""
