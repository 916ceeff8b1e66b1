"""Product photo upload from the staff desk: JPEG, PNG or WebP only (declared type and the file's own
first bytes must agree), no larger than the configured limit; stored under the media folder by sku and
served back at /app/media/<sku>. The chat sends the same file as the product card's photo.
"""

from __future__ import annotations

from pathlib import Path

import structlog
from aiohttp import web

from bot.webapp.context import MiniApp
from domain.catalog.products import validate_sku
from domain.errors import InvalidInput

__all__ = ["save_photo", "serve_photo"]

log = structlog.get_logger(__name__)

_KINDS = {"image/jpeg": (b"\xff\xd8\xff", ".jpg"), "image/png": (b"\x89PNG\r\n\x1a\n", ".png")}
_WEBP = ("image/webp", ".webp")


def _refuse(status: type[web.HTTPException], error: str) -> web.HTTPException:
    return status(text=f'{{"error": "{error}"}}', content_type="application/json")


def _too_large(shop: MiniApp, size: int) -> web.HTTPException:
    return web.HTTPRequestEntityTooLarge(
        shop.upload_max_bytes, size, text='{"error": "too large"}', content_type="application/json"
    )


def _extension(content_type: str, head: bytes) -> str | None:
    if content_type == _WEBP[0]:
        return _WEBP[1] if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None
    magic, extension = _KINDS.get(content_type, (None, ""))
    return extension if magic is not None and head.startswith(magic) else None


async def save_photo(request: web.Request, shop: MiniApp, sku: str) -> web.Response:
    if shop.media_dir is None:
        raise _refuse(web.HTTPNotFound, "uploads are off")
    try:
        validate_sku(sku)
    except InvalidInput:
        raise _refuse(web.HTTPBadRequest, "sku") from None
    if request.content_length is not None and request.content_length > shop.upload_max_bytes + 4096:
        raise _too_large(shop, request.content_length)
    reader = await request.multipart()
    part = await reader.next()
    if part is None or getattr(part, "name", None) != "photo":
        raise _refuse(web.HTTPBadRequest, "photo field expected")
    data = bytearray()
    while chunk := await part.read_chunk():  # type: ignore[union-attr]
        data += chunk
        if len(data) > shop.upload_max_bytes:
            raise _too_large(shop, len(data))
    extension = _extension(part.headers.get("Content-Type", ""), bytes(data[:16]))
    if extension is None:
        raise _refuse(web.HTTPUnsupportedMediaType, "jpeg, png or webp only")
    async with shop.uow_factory() as uow:
        product = await uow.products.get(sku)
        if product is None:
            raise _refuse(web.HTTPNotFound, "no such product")
        shop.media_dir.mkdir(parents=True, exist_ok=True)
        path = shop.media_dir / f"{sku}{extension}"
        path.write_bytes(bytes(data))
        product.photo = str(path)
        await uow.products.add(product)
        await uow.commit()
    log.info("webapp_photo_saved", sku=sku, size=len(data))
    return web.json_response({"ok": True, "photo": f"/app/media/{sku}"})


async def serve_photo(shop: MiniApp, sku: str) -> web.FileResponse:
    """Only the product's own photo file, found through the catalog (never a path from the request)."""
    async with shop.uow_factory(write=False) as uow:
        product = await uow.products.get(sku) if _valid(sku) else None
    photo = Path(product.photo) if product is not None and product.photo else None
    if photo is None or not photo.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(photo, headers={"Cache-Control": "max-age=300"})


def _valid(sku: str) -> bool:
    try:
        validate_sku(sku)
    except InvalidInput:
        return False
    return True
