"""Uploading the finished clip from the order page: it goes to the family by ``vkbot orders deliver``'s path.

The app refuses bodies over 64 KB; this route alone reads its body itself, as a stream: the form's first
field is the CSRF token (checked before a byte of the file is kept), the second the clip, written to a
temporary file in the file store's folder and refused past ``[dashboard] clip_max_mb``. Then
``waitlist.deliver`` stores it and marks the order delivered, and ``queue_notices`` queues the message
that carries it in the same transaction (inside the sending window, to people who may be written to);
the publishing planner picks the delivered order up for the family's approval as after the CLI.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from aiohttp import BodyPartReader, web
from sqlmodel import Session

import waitlist
from vkbot.core.store.db import begin_write
from vkbot.dashboard.context import Dashboard, actor_of, dashboard_of, session_of
from vkbot.dashboard.media import sniff
from vkbot.dashboard.orders import DELIVERABLE, order_number
from vkbot.dashboard.render import CSRF_FIELD, render
from vkbot.dashboard.security import tokens_equal
from vkbot.ops.jobs import queue_notices

log = logging.getLogger("vkbot.dashboard")
T = TypeVar("T")

# The route's name: web.py's session check leaves reading this body (and its CSRF token) to the handler.
CLIP_ROUTE = "orders.clip"
CLIP_FIELD = "clip"
MAX_TOKEN_BYTES = 256
HEAD_BYTES = 16  # enough to tell a video by its first bytes
# What a multipart body adds around the file (boundaries, headers, the token field).
FORM_OVERHEAD = 16 * 1024
CHUNK = 1 << 20
UPLOADS = "uploads"


class NotDeliverable(ValueError):
    """The order is delivered already (a second tab, a second click) or was cancelled."""


async def _field(part: BodyPartReader, limit: int) -> bytes | None:
    data = bytearray()
    while chunk := await part.read_chunk(MAX_TOKEN_BYTES):
        data += chunk
        if len(data) > limit:
            return None
    return bytes(data)


async def _save(part: BodyPartReader, out: BinaryIO, limit: int) -> tuple[int, bytes]:
    """Copy the file part to ``out``: its size (-1 as soon as it passes ``limit``) and first bytes."""
    size, head = 0, b""
    while chunk := await part.read_chunk(CHUNK):
        size += len(chunk)
        if size > limit:
            return -1, head
        head += chunk[: HEAD_BYTES - len(head)]
        await asyncio.to_thread(out.write, chunk)
    return size, head


def _upload_folder(dashboard: Dashboard) -> Path:
    folder = dashboard.files.root / UPLOADS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _check(session: Session, dashboard: Dashboard, number: int) -> None:
    """``OrderNotFound`` or ``NotDeliverable`` unless a clip may be delivered for this order now."""
    order = waitlist.get_order(session, number, settings=dashboard.waitlist, now=dashboard.clock.now())
    if order.status not in DELIVERABLE:
        raise NotDeliverable(f"order {number} is {order.status}")


def _precheck(dashboard: Dashboard, number: int) -> None:
    with Session(dashboard.engine) as session:
        _check(session, dashboard, number)


def _deliver(dashboard: Dashboard, number: int, path: Path) -> int:
    """The CLI's deliver: store the clip, mark the order delivered, queue the message; rows queued."""
    with Session(dashboard.engine) as session:
        begin_write(session)
        _check(session, dashboard, number)  # again, inside the write: two tabs may race
        now = dashboard.clock.now()
        waitlist.deliver(session, number, path, files=dashboard.files, at=now)
        queued = queue_notices(session, dashboard.waitlist, dashboard.clock)
        session.commit()
    return queued


async def _guarded(act: Callable[..., T], *args: Any) -> T:
    """``act`` in a worker thread; an unknown order is not found, a delivered one a conflict."""
    try:
        return await asyncio.to_thread(act, *args)
    except waitlist.OrderNotFound as exc:
        raise web.HTTPNotFound() from exc
    except NotDeliverable as exc:
        raise web.HTTPConflict() from exc


def _refused(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", status=status, message=message)


async def upload_clip(request: web.Request) -> web.StreamResponse:
    number = order_number(request)
    dashboard = dashboard_of(request)
    limit = dashboard.settings.clip_max_mb * 1024 * 1024
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
        log.warning("dashboard: clip for order %d refused: %d bytes declared", number, request.content_length)
        return _refused(request, 413, "dashboard.orders.clip_too_large")
    session = session_of(request)
    try:
        reader = await request.multipart()
        token_part = await reader.next()
    except (ValueError, AssertionError) as exc:  # not a multipart body at all
        raise web.HTTPBadRequest() from exc
    token = None
    if isinstance(token_part, BodyPartReader) and token_part.name == CSRF_FIELD:
        token = await _field(token_part, MAX_TOKEN_BYTES)
    if session is None or token is None or not tokens_equal(token.decode(errors="replace"), session.csrf):
        log.warning("dashboard: clip upload for order %d without a valid CSRF token refused", number)
        raise web.HTTPForbidden()
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != CLIP_FIELD:
        raise web.HTTPBadRequest()
    await _guarded(_precheck, dashboard, number)  # before a gigabyte is read for nothing
    fd, name = tempfile.mkstemp(dir=await asyncio.to_thread(_upload_folder, dashboard), prefix=".clip-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            size, head = await _save(part, out, limit)
        if size < 0:
            log.warning(
                "dashboard: clip for order %d refused: over %d MB", number, dashboard.settings.clip_max_mb
            )
            return _refused(request, 413, "dashboard.orders.clip_too_large")
        kind = sniff(head)[0]
        if size == 0 or not kind.startswith("video/"):
            log.warning(
                "dashboard: clip for order %d refused: not a video (%d bytes, %s)", number, size, kind
            )
            return _refused(request, 400, "dashboard.orders.clip_not_video")
        queued = await _guarded(_deliver, dashboard, number, path)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    log.info("dashboard: clip for order %d uploaded by %s (%d bytes)", number, actor_of(request), size)
    if queued:
        dashboard.wake()
    raise web.HTTPFound(f"/orders/{number}?done=clip")
