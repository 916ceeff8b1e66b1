"""What the customer conversation needs to know about the shop: plain values `bot/` builds from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from domain.money import Money
from domain.order import DeliveryChoice
from domain.order_status import PaymentMethod

__all__ = ["DeliveryOption", "ShopConfig"]


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    code: str
    label: str
    fee: Money
    needs_address: bool = True
    label_zh: str = ""  # the label in Chinese; "": the English one for everyone

    def choice(self) -> DeliveryChoice:
        return DeliveryChoice(self.code, self.label, self.fee, self.label_zh)

    def label_for(self, language: str) -> str:
        return self.label_zh if language == "zh" and self.label_zh else self.label


@dataclass(frozen=True, slots=True)
class ShopConfig:
    shop_name: str
    currency: str
    reservation_minutes: int = 30
    delivery_options: tuple[DeliveryOption, ...] = ()
    payment_methods: tuple[PaymentMethod, ...] = (PaymentMethod.CASH,)
    merchant_chat_id: int | None = None
    page_size: int = 6
    low_stock_hint: int = 5  # show "3 left" at or below this many available
    support_contact: str = ""  # shown in /help when set, e.g. "@myshop"
    timezone: str = "UTC"  # the shop's zone, for showing times only (an IANA name, e.g. "Asia/Shanghai")
    webapp_url: str | None = None  # the Mini App ("🛍 Open shop" under /start); None: not offered

    def delivery(self, code: str) -> DeliveryOption | None:
        return next((d for d in self.delivery_options if d.code == code), None)
