"""The callback-data codec: typed actions packed into Telegram's 64 bytes and checked when unpacked.

Wire form: ``<version><prefix>`` then the fields joined by ``|``, e.g. ``1pd|MUG-1|2``. Unpacking refuses
an unknown version or prefix, a wrong field count, a field of the wrong shape and anything over 64 bytes
with `StaleAction`. The action values themselves live in `handlers.actions.customer`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar

__all__ = ["MAX_BYTES", "VERSION", "Action", "StaleAction", "pack", "unpack", "need"]

MAX_BYTES = 64
VERSION = "1"
_SEP = "|"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.-]{0,40}$")
_INT_RE = re.compile(r"^(0|-?[1-9][0-9]{0,8})$")  # canonical: one spelling per number
_REGISTRY: dict[str, type[Action]] = {}


class StaleAction(ValueError):
    """Callback data that is not (or no longer) a valid action."""


@dataclass(frozen=True)
class Action:
    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, prefix: str = "", **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix:
            return
        if prefix in _REGISTRY or not re.fullmatch(r"[a-z]{2}", prefix):
            raise TypeError(f"action prefix {prefix!r} is taken or not two lowercase letters")
        cls.prefix = prefix
        _REGISTRY[prefix] = cls

    def check(self) -> None:
        """Field rules beyond their type; raise StaleAction."""


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _TOKEN_RE.match(value):
        return value
    raise StaleAction(f"cannot pack {value!r}")


def _decode(raw: str, kind: str) -> object:
    if kind == "bool":
        if raw not in ("0", "1"):
            raise StaleAction("bad flag")
        return raw == "1"
    if kind == "int":
        if not _INT_RE.match(raw):
            raise StaleAction("bad number")
        return int(raw)
    if not _TOKEN_RE.match(raw):
        raise StaleAction("bad token")
    return raw


def pack(action: Action) -> str:
    if type(action).prefix not in _REGISTRY:
        raise TypeError(f"{type(action).__name__} is not a registered action")
    action.check()
    fields = [_encode(getattr(action, f.name)) for f in dataclasses.fields(action)]
    data = VERSION + action.prefix + "".join(_SEP + value for value in fields)
    if len(data.encode()) > MAX_BYTES:
        raise StaleAction(f"{type(action).__name__} packs to more than {MAX_BYTES} bytes")
    return data


def unpack(data: str) -> Action:
    if not isinstance(data, str) or not data or len(data.encode(errors="replace")) > MAX_BYTES:
        raise StaleAction("missing or too long")
    if not data.isascii() and any("\ud800" <= ch <= "\udfff" for ch in data):
        raise StaleAction("not UTF-8")  # a lone surrogate: nothing Telegram sends, and it cannot be packed
    if not data.startswith(VERSION):
        raise StaleAction("other version")
    head, *raw = data[len(VERSION) :].split(_SEP)
    cls = _REGISTRY.get(head)
    if cls is None:
        raise StaleAction("unknown prefix")
    fields = dataclasses.fields(cls)
    if len(raw) != len(fields):
        raise StaleAction("wrong field count")
    action = cls(**{f.name: _decode(value, str(f.type)) for f, value in zip(fields, raw, strict=True)})
    action.check()
    return action


def need(ok: bool) -> None:
    if not ok:
        raise StaleAction("field out of range")
