"""An order's photos, voice notes and clip for the founder: full size, thumbnails, and all of them as one zip.

Files are named in URLs by their content id (sha256) and served only when a row of THAT order holds
it, so no path ever comes from a request; the session check in ``web.py`` guards every route here.
Thumbnails are made once with OpenCV and kept as a derived copy in the file store, which deletes them
with their photo (retention leaves no small copy of a removed photo behind).
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cv2
import numpy as np
from aiohttp import web
from sqlmodel import Session, col, select

from vkbot.dashboard.context import Dashboard, dashboard_of
from vkbot.dashboard.orders import order_number
from waitlist.filestore import LocalFileStore
from waitlist.models import WlFile, WlOrder

log = logging.getLogger("vkbot.dashboard")

THUMB_SIDE = 320
THUMB_KIND = "thumb"
CHUNK = 1 << 20
_FILE_ID = re.compile(r"^[0-9a-f]{64}$")

# Leading bytes -> (content type, file name extension); anything else is offered as a download only.
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF8", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"\xff\xfb", 0, "audio/mpeg", "mp3"),
    (b"\xff\xf3", 0, "audio/mpeg", "mp3"),
    (b"\xff\xf2", 0, "audio/mpeg", "mp3"),
    (b"ftyp", 4, "video/mp4", "mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "webm"),
)
UNKNOWN = ("application/octet-stream", "bin")


def sniff(head: bytes) -> tuple[str, str]:
    """Content type and extension from a file's first bytes (never from a name a relative chose)."""
    for magic, offset, content_type, ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type, ext
    return UNKNOWN


@dataclass(frozen=True)
class OrderFile:
    file_id: str
    kind: str  # photo | voice | clip
    caption: str | None


def order_files(session: Session, number: int) -> list[OrderFile] | None:
    """The order's files in the order they arrived; None when there is no such order."""
    order = session.exec(select(WlOrder).where(WlOrder.number == number)).first()
    if order is None:
        return None
    rows = session.exec(select(WlFile).where(WlFile.order_id == order.id).order_by(col(WlFile.id))).all()
    return [OrderFile(r.file_id, r.kind, r.caption) for r in rows]


def _file_of(dashboard: Dashboard, number: int, file_id: str) -> OrderFile | None:
    with Session(dashboard.engine) as session:
        found = order_files(session, number) or []
    return next((f for f in found if f.file_id == file_id), None)


def _requested(request: web.Request) -> tuple[int, str]:
    file_id = request.match_info["file_id"]
    if not _FILE_ID.match(file_id):
        raise web.HTTPNotFound()
    return order_number(request), file_id


def _read(files: LocalFileStore, file_id: str) -> bytes | None:
    try:
        return files.open(file_id)
    except (FileNotFoundError, ValueError):
        return None


def make_thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes | None:
    """A JPEG at most ``side`` pixels wide and high; None when the bytes are no image OpenCV reads."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    # A JPEG decodes straight at a quarter of its size (cheap for a 20 MB photo); the intake's photo
    # check has already decoded the same bytes whole, so nothing here costs more than it did.
    image = cv2.imdecode(buffer, cv2.IMREAD_REDUCED_COLOR_4)
    if image is None:
        return None
    height, width = image.shape[:2]
    if max(height, width) < side:  # too small at a quarter: decode whole for a sharp thumbnail
        image = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
        if image is None:
            return None
        height, width = image.shape[:2]
    scale = min(1.0, side / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 82])
    return encoded.tobytes() if ok else None


def thumbnail(files: LocalFileStore, file_id: str) -> bytes | None:
    """The cached thumbnail, made on first use; None when the photo is gone or is no readable image."""
    path = files.derived_path(file_id, THUMB_KIND)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = _read(files, file_id)
    if data is None:
        return None
    small = make_thumbnail(data)
    if small is None:
        log.info("dashboard: no thumbnail for file %s (not an image OpenCV reads)", file_id)
        return None
    files.put_derived(file_id, THUMB_KIND, small)
    return small


def _head(files: LocalFileStore, file_id: str) -> tuple[Path, bytes] | None:
    path = files.path(file_id)
    try:
        with path.open("rb") as stored:
            return path, stored.read(16)
    except FileNotFoundError:
        return None


async def file_full(request: web.Request) -> web.StreamResponse:
    """The file as the relative sent it (a photo, a voice note for ``<audio>``, the clip), streamed with
    ranges so a player can seek; its type comes from its bytes, and an unknown one is only downloaded."""
    number, file_id = _requested(request)
    dashboard = dashboard_of(request)
    if await asyncio.to_thread(_file_of, dashboard, number, file_id) is None:
        raise web.HTTPNotFound()
    found = await asyncio.to_thread(_head, dashboard.files, file_id)
    if found is None:
        raise web.HTTPNotFound()
    path, head = found
    content_type, ext = sniff(head)
    headers = {"Content-Type": content_type}
    if (content_type, ext) == UNKNOWN:
        headers["Content-Disposition"] = f'attachment; filename="file.{ext}"'
    return web.FileResponse(path, headers=headers)


async def file_thumb(request: web.Request) -> web.StreamResponse:
    number, file_id = _requested(request)
    dashboard = dashboard_of(request)
    found = await asyncio.to_thread(_file_of, dashboard, number, file_id)
    if found is None or found.kind != "photo":
        raise web.HTTPNotFound()
    small = await asyncio.to_thread(thumbnail, dashboard.files, file_id)
    if small is None:
        raise web.HTTPNotFound()
    return web.Response(body=small, content_type="image/jpeg")


def _zip(files: LocalFileStore, listed: list[OrderFile]) -> tuple[IO[bytes], int]:
    """Photos and voice notes numbered as on the page, with their captions in captions.txt; an unnamed
    temporary file (gone when closed), so a big order never sits in memory."""
    out = tempfile.TemporaryFile()
    captions: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, item in enumerate((f for f in listed if f.kind in ("photo", "voice")), start=1):
            data = _read(files, item.file_id)
            if data is None:
                continue
            name = f"{index:02d}-{item.kind}.{sniff(data[:16])[1]}"
            archive.writestr(name, data)
            if item.caption:
                captions.append(f"{name}: {item.caption}")
        if captions:
            archive.writestr("captions.txt", "\n\n".join(captions) + "\n")
    size = out.tell()
    out.seek(0)
    return out, size


async def download_all(request: web.Request) -> web.StreamResponse:
    number = order_number(request)
    dashboard = dashboard_of(request)

    def listed() -> list[OrderFile] | None:
        with Session(dashboard.engine) as session:
            return order_files(session, number)

    found = await asyncio.to_thread(listed)
    if found is None:
        raise web.HTTPNotFound()
    archive, size = await asyncio.to_thread(_zip, dashboard.files, found)
    try:
        response = web.StreamResponse(
            headers={
                "Content-Type": "application/zip",
                "Content-Disposition": f'attachment; filename="order-{number}.zip"',
            }
        )
        response.content_length = size
        await response.prepare(request)
        while chunk := await asyncio.to_thread(archive.read, CHUNK):
            await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        archive.close()
