"""The queue and one order's page; a status change goes through ``waitlist.set_status`` as in the CLI.

A change that owes the relative a message ("your turn" when an order goes in progress) queues it in
the same transaction through ``waitlist.due_notifications``, exactly as ``vkbot orders set-status``.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlmodel import Session

import i18n
import waitlist
from vkbot.core.store.db import begin_write
from vkbot.dashboard.context import Dashboard, dashboard_of
from vkbot.dashboard.render import render, request_lang
from vkbot.ops.jobs import queue_notices

MAX_REASON = 500


def _queue(dashboard: Dashboard) -> list[waitlist.OrderView]:
    """Waiting orders in queue order, then the rest by number (as ``vkbot orders list``)."""
    with Session(dashboard.engine) as session:
        now = dashboard.clock.now()
        queue = waitlist.list_orders(session, settings=dashboard.waitlist, now=now, status="waiting")
        rest = waitlist.list_orders(session, settings=dashboard.waitlist, now=now)
    return queue + [v for v in rest if v.status != "waiting"]


def _order(dashboard: Dashboard, number: int) -> waitlist.OrderView:
    with Session(dashboard.engine) as session:
        return waitlist.get_order(session, number, settings=dashboard.waitlist, now=dashboard.clock.now())


def _set_status(dashboard: Dashboard, number: int, status: str, reason: str | None) -> int:
    """The CLI's set-status: the change and the notices it owes, committed together; rows queued."""
    with Session(dashboard.engine) as session:
        begin_write(session)
        waitlist.set_status(session, number, status, reason, at=dashboard.clock.now())
        queued = queue_notices(session, dashboard.waitlist, dashboard.clock)
        session.commit()
    return queued


def _number(request: web.Request) -> int:
    raw = request.match_info["number"]
    if not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound()
    return int(raw)


async def queue_page(request: web.Request) -> web.Response:
    views = await asyncio.to_thread(_queue, dashboard_of(request))
    return render(request, "queue.html", orders=views)


async def order_page(request: web.Request) -> web.Response:
    number = _number(request)
    try:
        view = await asyncio.to_thread(_order, dashboard_of(request), number)
    except waitlist.OrderNotFound as exc:
        raise web.HTTPNotFound() from exc
    done = request.query.get("done") == "status"
    lang = request_lang(request)
    return render(
        request,
        "order.html",
        order=view,
        statuses=waitlist.STATUSES,
        done=done,
        wish_label=lambda wish: wish_label(wish, lang),
    )


def wish_label(wish: str, lang: str) -> str:
    """A wish id ("wings") as the button the relative tapped showed it; an unknown id as it is."""
    key = f"intake.button.wish_{wish}"
    return i18n.text(key, lang) if i18n.has(key, lang) else wish


async def change_status(request: web.Request) -> web.StreamResponse:
    number = _number(request)
    form = await request.post()
    status = str(form.get("status", ""))
    if status not in waitlist.STATUSES:
        raise web.HTTPBadRequest()
    reason = str(form.get("reason", "")).strip()[:MAX_REASON] or None
    dashboard = dashboard_of(request)
    try:
        queued = await asyncio.to_thread(_set_status, dashboard, number, status, reason)
    except waitlist.OrderNotFound as exc:
        raise web.HTTPNotFound() from exc
    if queued:
        dashboard.wake()
    raise web.HTTPFound(f"/orders/{number}?done=status")
