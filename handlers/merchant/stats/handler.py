"""Merchant analytics: `/stats` (figures, chart and period buttons) and `/export` (the orders as CSV).

Staff only: every command and every button press is checked against the presser's id; anyone else gets a
refusal and no figure. The CSV names customers by id only and, asked for in a group, is sent to the
staff member's private chat so nobody else in the group receives it. Everything a person reads comes from
the gettext catalogs in the presser's language (`ShopApp` passes the one stored on their customer record;
otherwise Telegram's language_code decides); the CSV's column names stay English (see merchant/orders_csv.py).

    /stats [today|7d|30d]      figures + chart, default 7 days; buttons switch the period
    /export [today|7d|30d]     CSV of the orders placed in the period, default 30 days
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from domain.analytics import Figures, ReportPeriod, ReportWindow
from domain.clock import Clock
from domain.ports import ShopFigures
from handlers.actions.customer import Action, StaleAction, pack, unpack
from handlers.kernel.i18n import N_, language_for, translations
from handlers.kernel.incoming import Incoming, Kind
from handlers.kernel.reply import Button, Document, Outcome, Reply
from handlers.merchant.stats.orders_csv import orders_csv
from handlers.merchant.stats.text import day_text, figures_text, period_title

__all__ = ["ShowStats", "ExportOrders", "MerchantStats", "STAFF_ONLY", "COMMANDS", "ROUTES"]

log = structlog.get_logger(__name__)

STAFF_ONLY = N_("Only shop staff can see the shop's figures.")
_STALE = N_("This button is out of date. Send /stats again.")
_USAGE = N_("Use /{command} today, /{command} 7d or /{command} 30d.")
_LABELS = {
    ReportPeriod.TODAY: N_("Today"),
    ReportPeriod.WEEK: N_("7 days"),
    ReportPeriod.MONTH: N_("30 days"),
}
_EXPORT_LABELS = {
    ReportPeriod.TODAY: N_("CSV of today"),
    ReportPeriod.WEEK: N_("CSV of 7 days"),
    ReportPeriod.MONTH: N_("CSV of 30 days"),
}


def _command_name(event: Incoming) -> str:
    return event.text.lower().split("@")[0]  # "/stats@ShopBot" in a group


def _check_period(code: str) -> None:
    if code not in {p.value for p in ReportPeriod}:
        raise StaleAction("unknown period")


@dataclass(frozen=True)
class ShowStats(Action, prefix="sp"):
    period: str

    def check(self) -> None:
        _check_period(self.period)


@dataclass(frozen=True)
class ExportOrders(Action, prefix="sx"):
    period: str

    def check(self) -> None:
        _check_period(self.period)


class MerchantStats:
    """Handles /stats, /export and their buttons; `handles` tells a router which events are ours."""

    def __init__(
        self,
        figures: ShopFigures,
        *,
        is_staff: Callable[[int], bool],
        clock: Clock,
        zone: str = "UTC",
        render_chart: Callable[[Figures], bytes],
    ) -> None:
        self._figures = figures
        self._is_staff = is_staff
        self._clock = clock
        self._zone = zone
        self._render_chart = render_chart

    def handles(self, event: Incoming) -> bool:
        if event.kind is Kind.COMMAND:
            return _command_name(event) in COMMANDS
        if event.kind is not Kind.BUTTON:
            return False
        try:
            return type(unpack(event.action)) in ROUTES
        except StaleAction:
            return False

    async def __call__(self, event: Incoming, language: str | None = None) -> Outcome:
        """`language`: the presser's stored choice, when the caller knows it; else Telegram's code decides."""
        language = language or language_for(event.language_code)
        _ = translations(language).gettext
        if not self._is_staff(event.user_id):
            log.warning("stats_access_refused", kind=str(event.kind), private=event.private)
            if event.kind is Kind.BUTTON:
                return Outcome(answer=_(STAFF_ONLY), alert=True)
            return Outcome(replies=[Reply(_(STAFF_ONLY))])
        if event.kind is Kind.COMMAND:
            return await self._command(event, language)
        try:
            action = unpack(event.action)
        except StaleAction:
            return Outcome(answer=_(_STALE), alert=True)
        handler = ROUTES.get(type(action))
        if handler is None or not isinstance(action, ShowStats | ExportOrders):
            return Outcome(answer=_(_STALE), alert=True)
        return await handler(self, event, ReportPeriod(action.period), language)

    async def _command(self, event: Incoming, language: str) -> Outcome:
        name = _command_name(event)
        default = _DEFAULT_PERIOD[name]
        arg = event.args.strip().lower()
        try:
            period = ReportPeriod(arg) if arg else default
        except ValueError:
            return Outcome(replies=[Reply(translations(language).gettext(_USAGE).format(command=name))])
        return await COMMANDS[name](self, event, period, language)

    def _window(self, period: ReportPeriod) -> ReportWindow:
        return ReportWindow.for_period(period, self._clock.now(), self._zone)

    async def show(self, event: Incoming, period: ReportPeriod, language: str) -> Outcome:
        """Figures and chart of `period`, with buttons for the other periods and the CSV."""
        _ = translations(language).gettext
        figures = await self._figures.figures(self._window(period))
        chart = await asyncio.to_thread(self._render_chart, figures)  # English: no CJK font is bundled
        periods = tuple(
            Button(("• " if p is period else "") + _(_LABELS[p]), pack(ShowStats(p.value)))
            for p in ReportPeriod
        )
        export = Button(_(_EXPORT_LABELS[period]), pack(ExportOrders(period.value)))
        return Outcome(
            replies=[
                Reply(period_title(figures, language), photo_bytes=chart),
                Reply(figures_text(figures, language), buttons=(periods, (export,))),
            ]
        )

    async def export(self, event: Incoming, period: ReportPeriod, language: str) -> Outcome:
        """The orders placed in `period` as CSV, sent privately when asked for in a group."""
        catalog = translations(language)
        window = self._window(period)
        rows = await self._figures.order_rows(window)
        log.info("orders_exported", period=str(period), orders=len(rows), private=event.private)
        first, last = window.days[0], window.days[-1]
        caption = catalog.ngettext(
            "{n} order placed {first} – {last}", "{n} orders placed {first} – {last}", len(rows)
        ).format(
            n=f"{len(rows):,}", first=day_text(first, language), last=day_text(last, language, year=True)
        )
        document = Document(
            filename=f"orders-{first:%Y%m%d}-{last:%Y%m%d}.csv", content=orders_csv(rows), caption=caption
        )
        if event.private:
            return Outcome(replies=[Reply(caption, document=document)])
        return Outcome(
            replies=[
                Reply(caption, document=document, chat_id=event.user_id),
                Reply(catalog.gettext("I sent you the CSV in our private chat: it lists customers.")),
            ]
        )


Handler = Callable[[MerchantStats, Incoming, ReportPeriod, str], Awaitable[Outcome]]
# One routing table style, as handlers.app's customer COMMANDS/ROUTES and handlers.merchant.router's.
COMMANDS: dict[str, Handler] = {"stats": MerchantStats.show, "export": MerchantStats.export}
ROUTES: dict[type[Action], Handler] = {ShowStats: MerchantStats.show, ExportOrders: MerchantStats.export}
_DEFAULT_PERIOD = {"stats": ReportPeriod.WEEK, "export": ReportPeriod.MONTH}
