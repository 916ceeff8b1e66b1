"""The merchant's /stats message: shop figures as short plain-text lines for a phone screen."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from domain.analytics import Figures, ProductFigures

__all__ = ["figures_text", "period_title", "duration_text", "rate_text"]


def duration_text(span: timedelta | None) -> str:
    """ "2 d 4 h", "1 d", "5 h 20 min", "12 min"; "no orders shipped" when there is nothing to measure."""
    if span is None:
        return "no orders shipped"
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def rate_text(rate: Decimal | None) -> str:
    return "n/a" if rate is None else f"{rate} %"


def period_title(figures: Figures) -> str:
    days = figures.window.days
    first, last = days[0], days[-1]
    if len(days) == 1:
        return f"Today, {last:%d %b %Y}"
    return f"Last {len(days)} days, {first:%d %b} – {last:%d %b %Y}"


def _products(title: str, products: tuple[ProductFigures, ...]) -> list[str]:
    if not products:
        return []
    lines = [title]
    for rank, product in enumerate(products, start=1):
        lines.append(f"  {rank}. {product.name} ({product.sku}): {product.units} × · {product.revenue}")
    return lines


def figures_text(figures: Figures, *, title: str | None = None) -> str:
    """`title` replaces the period's own ("Today, …", "Last 7 days, …")."""
    funnel = " → ".join(f"{count:,} {label}" for label, count in figures.funnel.steps())
    attempts = figures.payment_attempts
    lines = [
        f"📊 {title or period_title(figures)}",
        "",
        f"Orders: {figures.placed:,} placed · {figures.paid:,} paid · "
        f"{figures.cancelled:,} cancelled · {figures.refunded:,} refunded",
        f"Revenue: {figures.revenue} · average order {figures.average_order_value}",
        f"Payment success: {rate_text(figures.payment_success_rate)} "
        f"({figures.payments_succeeded:,} of {attempts:,} attempt{'' if attempts == 1 else 's'})",
        f"Funnel: {funnel}",
        f"Paid → shipped (median): {duration_text(figures.median_paid_to_shipped)}",
        f"Low stock: {figures.low_stock:,} product{'' if figures.low_stock == 1 else 's'}",
    ]
    top_units = _products("Top by units:", figures.top_by_units)
    top_revenue = _products("Top by revenue:", figures.top_by_revenue)
    if top_units or top_revenue:
        lines += ["", *top_units, *top_revenue]
    return "\n".join(lines)
