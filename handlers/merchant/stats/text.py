"""The merchant's /stats message: shop figures as short plain-text lines for a phone screen, in the staff
member's language (the gettext catalogs; dates in that language's CLDR pattern through babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date

from domain.analytics import Figures, ProductFigures
from handlers.kernel.i18n import LANGUAGES, translations
from handlers.kernel.money_text import money_text

__all__ = ["figures_text", "period_title", "duration_text", "rate_text", "day_text"]


def _funnel_step(ngettext: Callable[[str, str, int], str], step: str, count: int) -> str:
    """How a count of a funnel step (a name from `Funnel.steps()`) reads, singular or plural."""
    texts = {
        "carts created": ngettext("{n} cart created", "{n} carts created", count),
        "checkouts started": ngettext("{n} checkout started", "{n} checkouts started", count),
        "orders placed": ngettext("{n} order placed", "{n} orders placed", count),
        "paid": ngettext("{n} paid", "{n} paid", count),
        "delivered": ngettext("{n} delivered", "{n} delivered", count),
    }
    return texts[step].format(n=f"{count:,}")


def day_text(day: date, language: str = "en", *, year: bool = False) -> str:
    """ "04 Mar" / "04 Mar 2026" in English; the catalog holds each language's CLDR pattern."""
    _ = translations(language).gettext
    # Translators: CLDR date patterns (dd day, MMM month name, y year), e.g. "M月d日" and "y年M月d日".
    pattern = _("dd MMM y") if year else _("dd MMM")
    return format_date(day, pattern, locale=language if language in LANGUAGES else "en")


def duration_text(span: timedelta | None, language: str = "en") -> str:
    """ "2 d 4 h", "1 d", "5 h 20 min", "12 min"; "no orders shipped" when there is nothing to measure."""
    _ = translations(language).gettext
    if span is None:
        return _("no orders shipped")
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = _("{days} d {hours} h") if hours else _("{days} d")
    elif hours:
        text = _("{hours} h {minutes} min")
    else:
        text = _("{minutes} min")
    return text.format(days=days, hours=hours, minutes=minutes)


def rate_text(rate: Decimal | None, language: str = "en") -> str:
    return translations(language).gettext("n/a") if rate is None else f"{rate} %"


def period_title(figures: Figures, language: str = "en") -> str:
    _ = translations(language).gettext
    days = figures.window.days
    last = day_text(days[-1], language, year=True)
    if len(days) == 1:
        return _("Today, {day}").format(day=last)
    first = day_text(days[0], language)
    return _("Last {n} days, {first} – {last}").format(n=len(days), first=first, last=last)


def _products(title: str, products: tuple[ProductFigures, ...], language: str) -> list[str]:
    if not products:
        return []
    lines = [title]
    for rank, product in enumerate(products, start=1):
        revenue = money_text(product.revenue, language)
        lines.append(f"  {rank}. {product.name} ({product.sku}): {product.units} × · {revenue}")
    return lines


def figures_text(figures: Figures, language: str = "en", *, title: str | None = None) -> str:
    """`title` replaces the period's own ("Today, …", "Last 7 days, …")."""
    catalog = translations(language)
    _, ngettext = catalog.gettext, catalog.ngettext
    funnel = " → ".join(_funnel_step(ngettext, step, count) for step, count in figures.funnel.steps())
    attempts = figures.payment_attempts
    lines = [
        f"📊 {title or period_title(figures, language)}",
        "",
        _("Orders: {placed} placed · {paid} paid · {cancelled} cancelled · {refunded} refunded").format(
            placed=f"{figures.placed:,}",
            paid=f"{figures.paid:,}",
            cancelled=f"{figures.cancelled:,}",
            refunded=f"{figures.refunded:,}",
        ),
        _("Revenue: {revenue} · average order {average}").format(
            revenue=money_text(figures.revenue, language),
            average=money_text(figures.average_order_value, language),
        ),
        *_discounts(figures, ngettext),
        ngettext(
            "Payment success: {rate} ({succeeded} of {attempts} attempt)",
            "Payment success: {rate} ({succeeded} of {attempts} attempts)",
            attempts,
        ).format(
            rate=rate_text(figures.payment_success_rate, language),
            succeeded=f"{figures.payments_succeeded:,}",
            attempts=f"{attempts:,}",
        ),
        _("Funnel: {steps}").format(steps=funnel),
        _("Paid → shipped (median): {duration}").format(
            duration=duration_text(figures.median_paid_to_shipped, language)
        ),
        ngettext("Low stock: {n} product", "Low stock: {n} products", figures.low_stock).format(
            n=f"{figures.low_stock:,}"
        ),
    ]
    top_units = _products(_("Top by units:"), figures.top_by_units, language)
    top_revenue = _products(_("Top by revenue:"), figures.top_by_revenue, language)
    if top_units or top_revenue:
        lines += ["", *top_units, *top_revenue]
    return "\n".join(lines)


def _discounts(figures: Figures, ngettext: Callable[[str, str, int], str]) -> list[str]:
    """ "Promo discounts: $12.00 on 3 orders", or nothing when no code was used."""
    if figures.discounts is None:
        return []
    n = figures.discounted_orders
    text = ngettext("Promo discounts: {amount} on {n} order", "Promo discounts: {amount} on {n} orders", n)
    return [text.format(amount=figures.discounts, n=f"{n:,}")]
