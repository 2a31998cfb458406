"""The suite's state, the same report as ``GET /health`` and ``vkbot status``: listener, dispatch, outbox, tokens."""

from __future__ import annotations

from aiohttp import web

from vkbot.dashboard.context import dashboard_of
from vkbot.dashboard.render import render
from vkbot.ops.health import collect_health


async def status_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    report = await collect_health(dashboard.health, dashboard.stall_after_s)
    return render(request, "status.html", report=report)
