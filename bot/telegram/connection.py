"""Where the Bot API is and the secrets to reach it: the one value every Telegram adapter shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.settings import Settings

__all__ = ["TelegramConnection"]


@dataclass(frozen=True, slots=True)
class TelegramConnection:
    token: str = field(repr=False)
    api_url: str = "https://api.telegram.org"
    payment_provider_token: str = field(default="", repr=False)
    poll_timeout: int = 10  # seconds a getUpdates long poll may wait

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramConnection:
        if settings.telegram_token is None:
            raise ValueError("SHOPBOT_TELEGRAM_TOKEN is not set")
        provider = settings.telegram_payment_provider_token
        return cls(
            token=settings.telegram_token.get_secret_value(),
            api_url=settings.telegram_api_url.rstrip("/"),
            payment_provider_token=provider.get_secret_value() if provider else "",
        )
