"""`python -m bot ...` is `shopbot ...` (for a checkout without the console script installed)."""

from bot.cli import app

app(prog_name="shopbot")
