"""`/promo` for staff: create, list, pause, resume and report promo codes.

    /promo                                  list every code with its uses
    /promo create SPRING10 10% [min=20] [from=2026-12-01] [until=2026-12-31] [uses=100] [per=1]
                  [skus=TEA-1,TEA-2] [categories=tea]    (or a fixed amount: /promo create FIVE 5.00)
    /promo pause SPRING10 · /promo resume SPRING10 · /promo report SPRING10

Dates are days in the shop's time zone: a code runs from the start of `from` to the end of `until`.
Everything is checked before anything is stored; a mistake gets one line saying what was wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput
from domain.money import Money
from domain.promo import PromoCode, PromoKind, normalize_code
from handlers.kernel.reply import Outcome
from handlers.kernel.turn import Turn
from handlers.merchant.desk import MerchantDesk

__all__ = ["promo_command"]

_OPTIONS = ("min", "from", "until", "uses", "per", "skus", "categories")
_MAX_LIMIT = 1_000_000


def _usage(turn: Turn) -> str:
    return turn._(
        "Usage: /promo create CODE 10% (or 5.00) [min=20] [from=2026-12-01] [until=2026-12-31] "
        "[uses=100] [per=1] [skus=A,B] [categories=tea]; /promo pause|resume|report CODE; /promo"
    )


async def promo_command(desk: MerchantDesk, turn: Turn) -> Outcome:
    parts = turn.event.args.split()
    verb = parts[0].lower() if parts else "list"
    if verb == "list" and len(parts) <= 1:
        return await _list(turn)
    if verb == "create" and len(parts) >= 3:
        return await _create(turn, parts[1], parts[2], parts[3:])
    if verb in ("pause", "resume", "report") and len(parts) == 2:
        code = parts[1].upper()[:20]
        if verb == "report":
            return await _report(turn, code)
        if not await turn.uow.promos.set_paused(code, verb == "pause"):
            return turn.say(turn._("There is no code {code}. /promo lists them.").format(code=code))
        done = turn._("{code} is paused.") if verb == "pause" else turn._("{code} is active again.")
        return turn.say(done.format(code=code))
    return turn.say(_usage(turn))


async def _list(turn: Turn) -> Outcome:
    _ = turn._
    promos = await turn.uow.promos.list()
    if not promos:
        return turn.say(_("No promo codes yet.") + "\n" + _usage(turn))
    lines = [_("Promo codes:")]
    for promo in promos:
        limit = str(promo.max_uses) if promo.max_uses is not None else "∞"
        state = _("paused") if promo.paused else _("active")
        last_day = (promo.ends_at - timedelta(seconds=1)) if promo.ends_at else None  # `until` is inclusive
        ends = last_day.astimezone(ZoneInfo(turn.config.timezone)).date().isoformat() if last_day else "—"
        lines.append(
            _("{code}: {value} · used {uses}/{limit} · ends {ends} · {state}").format(
                code=promo.code, value=promo.describe(), uses=promo.uses, limit=limit, ends=ends, state=state
            )
        )
    return turn.say("\n".join(lines))


async def _report(turn: Turn, code: str) -> Outcome:
    promo = await turn.uow.promos.get(code)
    if promo is None:
        return turn.say(turn._("There is no code {code}. /promo lists them.").format(code=code))
    report = await turn.uow.promos.report(promo.code, turn.config.currency)
    text = turn.ngettext(
        "{code}: {uses} order, {discount} discount given, {revenue} revenue.",
        "{code}: {uses} orders, {discount} discount given, {revenue} revenue.",
        report.uses,
    ).format(
        code=promo.code, uses=report.uses, discount=report.discount.format(), revenue=report.revenue.format()
    )
    return turn.say(text)


async def _create(turn: Turn, raw_code: str, raw_value: str, rest: list[str]) -> Outcome:
    _ = turn._
    try:
        code = normalize_code(raw_code)
    except InvalidInput:
        return turn.say(_("A code is 3 to 20 letters, digits, '-' or '_'."))
    options: dict[str, str] = {}
    for item in rest:
        key, sep, value = item.partition("=")
        if not sep or key.lower() not in _OPTIONS or not value:
            return turn.say(_("I do not know “{item}”.").format(item=item[:30]) + "\n" + _usage(turn))
        options[key.lower()] = value
    try:
        promo = _promo(turn, code, raw_value, options)
    except InvalidInput as error:
        return turn.say(_("Not created: {problem}.").format(problem=_problem(turn, error)))
    if not await turn.uow.promos.add(promo):
        return turn.say(_("The code {code} exists already.").format(code=code))
    return turn.say(_("Created {code}: {value} off.").format(code=code, value=promo.describe()))


def _problem(turn: Turn, error: InvalidInput) -> str:
    _ = turn._
    return {
        "value": _("the discount is 1% to 100%, or an amount such as 5.00"),
        "min_subtotal": _("min= is an amount such as 20.00"),
        "ends_at": _("until= must be on or after from="),
        "date": _("dates are written 2026-12-31"),
        "max_uses": _("uses= and per= are whole numbers of at least 1"),
        "per_customer": _("uses= and per= are whole numbers of at least 1"),
    }.get(error.field or "", _("please check the values"))


def _promo(turn: Turn, code: str, raw_value: str, options: dict[str, str]) -> PromoCode:
    currency = turn.config.currency
    if raw_value.endswith("%"):
        kind, value = PromoKind.PERCENT, _whole(raw_value[:-1], "value")
    else:
        kind, value = PromoKind.FIXED, _amount(raw_value, currency, "value")
    zone = ZoneInfo(turn.config.timezone)
    return PromoCode(
        code=code,
        kind=kind,
        value=value,
        currency=currency,
        created_at=turn.now,
        min_subtotal=_amount(options["min"], currency, "min_subtotal") if "min" in options else 0,
        starts_at=_day(options["from"], zone) if "from" in options else None,
        ends_at=_day(options["until"], zone) + timedelta(days=1) if "until" in options else None,
        max_uses=_whole(options["uses"], "max_uses") if "uses" in options else None,
        per_customer=_whole(options["per"], "per_customer") if "per" in options else None,
        skus=frozenset(s for s in options.get("skus", "").split(",") if s),
        categories=frozenset(c for c in options.get("categories", "").split(",") if c),
    )


def _whole(raw: str, field: str) -> int:
    if not raw.isdigit() or len(raw) > 7 or int(raw) > _MAX_LIMIT:
        raise InvalidInput(f"{field} is not a whole number", field)
    return int(raw)


def _amount(raw: str, currency: str, field: str) -> int:
    try:
        return Money.parse(raw[:20], currency).amount_minor
    except InvalidInput as error:
        raise InvalidInput(str(error), field) from error


def _day(raw: str, zone: ZoneInfo) -> datetime:
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput("not a date", "date")
    return datetime.combine(day, time(0), zone).astimezone(UTC)
