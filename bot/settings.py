"""The one place configuration is read: environment variables with the SHOPBOT_ prefix and `.env`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "DeliveryOption"]


class DeliveryOption(BaseModel):
    code: str
    label: str
    price: str  # decimal string in the shop currency, e.g. "5.00"
    needs_address: bool = True


_DEFAULT_DELIVERY = [
    DeliveryOption(code="standard", label="Standard (3-5 days)", price="5.00"),
    DeliveryOption(code="express", label="Express (1-2 days)", price="15.00"),
    DeliveryOption(code="pickup", label="Pickup in store", price="0.00", needs_address=False),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Foundation
    database_url: str = "sqlite+aiosqlite:///shopbot.db"
    currency: str = "USD"
    reservation_minutes: int = Field(30, ge=1, le=24 * 60)
    timezone: str = "UTC"  # the shop's zone: display and daily schedules only

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    shop_name: str = "shopbot"
    delivery_options: list[DeliveryOption] = Field(default_factory=lambda: list(_DEFAULT_DELIVERY))
    telegram_webhook_secret: SecretStr | None = None
    telegram_payment_provider_token: SecretStr | None = None

    # Merchant
    merchant_chat_id: int | None = None
    merchant_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    # HTTP server
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_url: str = "http://127.0.0.1:8080"

    # Mini App (/app/ on the HTTP server)
    webapp_auth_max_age_seconds: int = Field(86400, ge=60)  # how old Telegram's initData may be
    webapp_button: bool | None = None  # None: offer "Open shop" only when public_url is https
    webapp_upload_max_bytes: int = Field(2 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    webapp_media_dir: str = "media"  # uploaded product photos

    # Payments
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_url: str = "https://api.stripe.com"
    cash_on_delivery: bool = True

    # Jobs and outbox
    tracking_api_key: SecretStr | None = None
    tracking_api_url: str = "https://api.17track.net/track/v2.2"
    tracking_poll_seconds: int = Field(1800, ge=5)
    tracking_requests_per_second: float = Field(3.0, gt=0)
    outbox_poll_seconds: float = Field(1.0, gt=0)
    flood_global_per_second: float = Field(30.0, gt=0)
    flood_private_per_second: float = Field(1.0, gt=0)
    flood_group_per_minute: float = Field(20.0, gt=0)
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_lease_seconds: float = Field(60.0, ge=1)  # a crashed relay's rows are resent after this
    expiry_poll_seconds: int = Field(60, ge=1)
    low_stock_poll_seconds: int = Field(300, ge=5)
    unanswered_order_minutes: int = Field(30, ge=1)
    daily_report_hour: int = Field(9, ge=0, le=23)
    abandoned_cart_hours: int = Field(24, ge=1)
    complete_after_days: int = Field(7, ge=1)

    # Observability
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"

    @field_validator("merchant_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [int(part) for part in text.replace(" ", "").split(",") if part]
        return value

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @property
    def webapp_url(self) -> str | None:
        """The Mini App's address for Telegram's web_app buttons, or None when they are not offered."""
        url = self.public_url.rstrip("/") + "/app/"
        offered = self.public_url.startswith("https://") if self.webapp_button is None else self.webapp_button
        return url if offered else None

    def is_staff(self, telegram_id: int) -> bool:
        return telegram_id in self.merchant_user_ids
