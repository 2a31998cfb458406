"""HTTP helpers shared by the sandbox's VK-facing routes: merged parameters, JSON answers, faults on the wire."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from vkbot.sandbox.core import Sandbox

SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)
HANG_LIMIT_S = 600.0


async def merged_params(request: web.Request) -> dict[str, str]:
    """Query string and form body together, as VK reads them (the body wins on a clash)."""
    values = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            values.update({k: v for k, v in form.items() if isinstance(v, str)})
        else:
            body = await request.read()
            if body and request.content_type != "application/json":
                from urllib.parse import parse_qsl

                values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return values


def bearer(request: web.Request, values: dict[str, str]) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return values.get("access_token")


def json_answer(body: Any) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), content_type="application/json")


def drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (the client sees a reset / server disconnect)."""
    if request.transport is not None:
        request.transport.abort()
    raise asyncio.CancelledError  # aiohttp treats a cancelled handler on a closed connection quietly


async def hang(sb: Sandbox, request: web.Request) -> web.Response:
    """Never answer: hold the connection until the client gives up or the sandbox stops, then close it."""
    if sb.stopping is not None:
        try:
            await asyncio.wait_for(sb.stopping.wait(), HANG_LIMIT_S)
        except TimeoutError:
            pass
    return drop(request)


async def apply_wire_faults(sb: Sandbox, request: web.Request, target: str) -> None:
    if sb.faults.should_drop(target):
        drop(request)
    delay = sb.faults.delay_s(target)
    if delay:
        await asyncio.sleep(delay)
