"""The Telegram Mini App under /app/: a storefront for customers and a desk for staff.

Every API request carries Telegram's signed `initData` (checked in `init_data`); the user id comes only
from it. Reads go to the repositories; every change is an `Incoming` event fed to the same `ShopApp` the
chat uses (`actions`), so no business rule is written twice. The page is static HTML and vanilla JS in
`static/` (see docs/miniapp.md).
"""
