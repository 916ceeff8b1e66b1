"""The Mini App next to `shopbot demo`: the same shop served on loopback, opened in any browser as Alice
(customer) or Bob (staff). Telegram is not there to sign who you are, so the demo signs initData with a
token of its own, made fresh for this run and known to nothing else; the page says so in a yellow banner.

    server = await DemoMiniApp.start(shop, settings, clock)
    for line in server.lines(): print(line)
    ...
    await server.stop()
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo.personas import CUSTOMER, MERCHANT, Persona
from bot.http.server import start_http_server
from bot.settings import Settings
from bot.webapp.init_data import WebAppUser, sign_init_data
from bot.webapp.mount import mount_miniapp
from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from handlers.kernel.incoming import EventHandler

__all__ = ["DemoMiniApp"]


@dataclass
class DemoMiniApp:
    runner: web.AppRunner
    token: str
    clock: Clock
    base: str

    @classmethod
    async def start(
        cls,
        handler: EventHandler,
        uow_factory: UnitOfWorkFactory,
        settings: Settings,
        clock: Clock,
        *,
        engine: AsyncEngine | None = None,
        port: int = 0,
    ) -> DemoMiniApp:
        token = f"0:demo-{secrets.token_hex(16)}"  # never a real bot's token: Telegram has no bot 0
        media = Path(tempfile.mkdtemp(prefix="shopbot-demo-media-"))
        settings = settings.model_copy(update={"webapp_media_dir": str(media)})
        app = web.Application()
        mount_miniapp(app, settings, handler, uow_factory, clock, bot_token=token, engine=engine, demo=True)
        runner = await start_http_server(app, "127.0.0.1", port)
        bound = runner.addresses[0][1]
        return cls(runner, token, clock, f"http://127.0.0.1:{bound}/app/")

    def url(self, persona: Persona) -> str:
        user = WebAppUser(persona.user_id, persona.display_name, persona.language_code)
        init_data = sign_init_data(user, self.token, auth_date=self.clock.now())
        return f"{self.base}#tgWebAppData={quote(init_data)}"

    def lines(self) -> list[str]:
        return [
            "Mini App in your browser — DEMO identity, signed with this demo's own token, not by Telegram:",
            f"  as Alice (customer): {self.url(CUSTOMER)}",
            f"  as Bob (staff):      {self.url(MERCHANT)}",
        ]

    async def stop(self) -> None:
        await self.runner.cleanup()
