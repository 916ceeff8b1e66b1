"""`.env.example` lists every setting shopbot reads, each with what it means and its real default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
LINE = re.compile(r"^(?P<off># )?SHOPBOT_(?P<name>[A-Z0-9_]+)=(?P<value>.*)$")


def _entries() -> dict[str, tuple[bool, str, str]]:
    """name -> (commented out, value, the comment line just above)."""
    entries = {}
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = LINE.match(line)
        if match:
            above = next(
                (lines[j] for j in range(i - 1, -1, -1) if not LINE.match(lines[j])), ""
            )  # settings in a group share the comment above the group
            entries[match["name"].lower()] = (bool(match["off"]), match["value"], above)
    return entries


def test_every_setting_is_listed_once_and_nothing_else():
    names = [m["name"].lower() for m in map(LINE.match, EXAMPLE.read_text().splitlines()) if m]
    assert sorted(names) == sorted(Settings.model_fields)


def test_each_setting_says_what_it_means():
    assert all(above.startswith("# ") and len(above) > 12 for _, _, above in _entries().values())


def test_the_listed_defaults_are_the_real_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for name in Settings.model_fields:
        monkeypatch.delenv(f"SHOPBOT_{name.upper()}", raising=False)
    assert Settings(_env_file=EXAMPLE) == Settings(_env_file=None)


def test_settings_without_a_default_are_commented_out_and_the_others_are_not():
    defaults = Settings(_env_file=None)
    for name, (off, value, _) in _entries().items():
        default = getattr(defaults, name)
        assert off is (default in (None, [], Settings.model_fields["clock_offset"].default)), name
        assert value, name  # an example value even where there is no default
