"""The one place configuration is read: environment variables with the SHOPBOT_ prefix and `.env`."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.errors import InvalidInput
from domain.money import Money
from handlers.kernel.currency_formats_data import CURRENCIES
from storage.database.engine import POSTGRES_POOL_SIZE

__all__ = ["Settings", "DeliveryOption"]


class DeliveryOption(BaseModel):
    code: str
    label: str
    price: str  # decimal string in the shop currency, e.g. "5.00"
    needs_address: bool = True
    label_zh: str = ""  # what Chinese-speaking customers read, e.g. "标准快递（3-5 天）"


_DEFAULT_DELIVERY = [
    DeliveryOption(code="standard", label="Standard (3-5 days)", price="5.00", label_zh="标准快递（3-5 天）"),
    DeliveryOption(code="express", label="Express (1-2 days)", price="15.00", label_zh="加急快递（1-2 天）"),
    DeliveryOption(
        code="pickup", label="Pickup in store", price="0.00", needs_address=False, label_zh="到店自取"
    ),
]


# The shortest retention of each kind of record, and why: a record pruned sooner lets something happen twice.
_RETENTION_FLOORS = {
    "update_retention_days": (
        2,
        "Telegram may deliver an update again for 24 hours, and one whose record is gone is handled twice",
    ),
    "webhook_event_retention_days": (
        4,
        "Stripe delivers an event again for up to 3 days, and one whose record is gone is processed twice",
    ),
    "outbox_retention_days": (
        4,
        "a sent message's record keeps a notice from going out twice, e.g. when Stripe delivers an event "
        "again (for up to 3 days)",
    ),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Foundation
    database_url: str = "sqlite+aiosqlite:///shopbot.db"
    database_pool_size: int = Field(POSTGRES_POOL_SIZE, ge=1, le=100)  # PostgreSQL connections per process
    currency: str = "USD"
    reservation_minutes: int = Field(30, ge=1, le=24 * 60)
    timezone: str = "UTC"  # the shop's zone: display and daily schedules only

    # Telegram
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    shop_name: str = "shopbot"
    delivery_options: Annotated[list[DeliveryOption], NoDecode] = Field(
        default_factory=lambda: list(_DEFAULT_DELIVERY)
    )
    telegram_webhook_secret: SecretStr | None = None
    telegram_payment_provider_token: SecretStr | None = None

    # Merchant
    merchant_chat_id: int | None = None
    merchant_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    # HTTP server
    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=1, le=65535)
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
    outbox_retry_seconds: float = Field(5.0, gt=0)  # first retry after a 5xx; doubles each attempt
    outbox_lease_seconds: float = Field(60.0, ge=1)  # a crashed relay's rows are resent after this
    expiry_poll_seconds: int = Field(60, ge=1)
    low_stock_poll_seconds: int = Field(300, ge=5)
    unanswered_order_minutes: int = Field(30, ge=1)
    daily_report_hour: int = Field(9, ge=0, le=23)
    abandoned_cart_hours: int = Field(24, ge=1)
    complete_after_days: int = Field(7, ge=1)

    # Housekeeping (jobs/prune.py): settled rows of the work tables are deleted once nothing needs them
    prune_interval_seconds: int = Field(3600, ge=60)
    outbox_retention_days: int = 30  # sent and failed messages (their payloads hold charts and CSVs)
    update_retention_days: int = 3  # handled updates: the record that keeps a redelivery from a 2nd run
    webhook_event_retention_days: int = 30  # payment events processed (Stripe resends up to 30 days)

    # Observability
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    count_sql_statements: bool = False  # bench/load.py: shopbot_sql_statements_total on /metrics

    # Trials only: the shop's clock runs this far ahead of the machine's (ISO 8601, e.g. P8D), so that
    # reservations, reminders and completions fall due without waiting. Leave unset in production.
    clock_offset: timedelta = Field(timedelta(0), ge=timedelta(0), le=timedelta(days=3650))

    @field_validator("merchant_user_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            try:
                if text.startswith("["):
                    return json.loads(text)
                return [int(part) for part in text.replace(" ", "").split(",") if part]
            except ValueError:
                raise ValueError(
                    "must be Telegram user ids separated by commas, e.g. 1,2 or [1, 2]"
                ) from None
        return value

    @field_validator("delivery_options", mode="before")
    @classmethod
    def _parse_options(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError(
                    'must be a JSON list like [{"code": "standard", "label": "Standard", "price": "5.00", '
                    '"needs_address": true}]'
                ) from None
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in CURRENCIES:
            raise ValueError("must be an ISO 4217 currency code such as USD, EUR or JPY")
        return code

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name such as UTC or Europe/Berlin") from None
        return value

    @field_validator("outbox_retention_days", "update_retention_days", "webhook_event_retention_days")
    @classmethod
    def _retention(cls, value: int, info: ValidationInfo) -> int:
        least, why = _RETENTION_FLOORS[str(info.field_name)]
        if value < least:
            raise ValueError(f"must be at least {least} (days): {why}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            driver = ""
        if driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(
                "must be sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER:PASSWORD@HOST/DATABASE"
            )
        return value

    @field_validator("telegram_api_url", "public_url", "stripe_api_url", "tracking_api_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value) < len("http://x"):
            raise ValueError("must be an http:// or https:// address")
        return value

    @model_validator(mode="after")
    def _prices_in_currency(self) -> Settings:
        for option in self.delivery_options:
            try:
                Money.parse(option.price, self.currency)
            except InvalidInput as exc:
                raise ValueError(
                    f"SHOPBOT_DELIVERY_OPTIONS: the price of {option.code!r} is not a {self.currency} amount "
                    f"({exc})"
                ) from None
        return self

    @property
    def webapp_url(self) -> str | None:
        """The Mini App's address for Telegram's web_app buttons, or None when they are not offered."""
        url = self.public_url.rstrip("/") + "/app/"
        offered = self.public_url.startswith("https://") if self.webapp_button is None else self.webapp_button
        return url if offered else None

    def is_staff(self, telegram_id: int) -> bool:
        return telegram_id in self.merchant_user_ids
