"""The queue (search, filters, pages), one order's page, its status and place, and the sign-up list.

A status change or a move goes through ``waitlist.set_status`` / ``move_order`` as in the CLI; a change
that owes the relative a message ("your turn" when an order goes in progress) queues it in the same
transaction through ``waitlist.due_notifications``, exactly as ``vkbot orders set-status``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlmodel import Session

import i18n
import waitlist
from vkbot.core.store.db import begin_write
from vkbot.dashboard import interviews
from vkbot.dashboard.context import Dashboard, actor_of, dashboard_of
from vkbot.dashboard.paths import path_id, whole_number
from vkbot.dashboard.render import render, request_lang
from vkbot.ops.jobs import queue_notices
from waitlist.browse import PUBLISH_CHOICES, OrderQuery, SignupView, find_orders, signup_list
from waitlist.flags import reopen_hint, signups_open

log = logging.getLogger("vkbot.dashboard")

MAX_REASON = 500
MAX_HINT = 200  # "when it may reopen", told to new writers
PAGE_SIZE = 50
MAX_PAGE = 10_000
# Notices the order page shows after an action (?done=...).
DONE = ("status", "move", "clip")


def order_number(request: web.Request) -> int:
    return path_id(request, "number")


# -- the queue --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueForm:
    """The filter form as typed (shown back in the form) and the query it means."""

    values: dict[str, str]
    query: OrderQuery
    page: int
    bad: bool  # something typed was not understood (and was ignored)


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def queue_form(params: Any, dashboard: Dashboard) -> QueueForm:
    """Read ``q``, ``status``, ``from``, ``to`` (days in her time zone), ``publish`` and ``page``."""
    values = {k: str(params.get(k, "")).strip()[:100] for k in ("q", "status", "from", "to", "publish")}
    bad = False
    status = values["status"] if values["status"] in waitlist.STATUSES else None
    publish = values["publish"] if values["publish"] in PUBLISH_CHOICES else None
    bad |= bool(values["status"]) and status is None
    bad |= bool(values["publish"]) and publish is None
    bounds: list[datetime | None] = []
    for key, extra in (("from", 0), ("to", 1)):  # "to" includes its whole day
        day = _day(values[key])
        bad |= bool(values[key]) and day is None
        bounds.append(
            datetime.combine(day + timedelta(days=extra), time(), dashboard.timezone) if day else None
        )
    page = max(whole_number(str(params.get("page", "1")), MAX_PAGE) or 1, 1)
    if bad:
        log.info("dashboard: queue filter not understood, ignored: %r", values)
    query = OrderQuery(text=values["q"], status=status, since=bounds[0], until=bounds[1], publish=publish)
    return QueueForm(values, query, page, bad)


def _find(dashboard: Dashboard, form: QueueForm) -> tuple[list[waitlist.OrderView], int]:
    with Session(dashboard.engine) as session:
        return find_orders(
            session,
            form.query,
            settings=dashboard.waitlist,
            now=dashboard.clock.now(),
            offset=(form.page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )


async def queue_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    form = queue_form(request.query, dashboard)
    views, total = await asyncio.to_thread(_find, dashboard, form)
    pages = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in form.values.items() if v}

    def page_url(page: int) -> str:
        return "/queue?" + urlencode({**kept, "page": page})

    return render(
        request,
        "queue.html",
        orders=views,
        total=total,
        form=form.values,
        filtered=bool(kept),
        bad_filter=form.bad,
        page=form.page,
        pages=pages,
        page_url=page_url,
        statuses=waitlist.STATUSES,
        publish_choices=PUBLISH_CHOICES,
    )


# -- one order --------------------------------------------------------------------------------------


def _order(dashboard: Dashboard, number: int, outlook: bool) -> tuple[waitlist.OrderView, Any]:
    with Session(dashboard.engine) as session:
        now = dashboard.clock.now()
        view = waitlist.get_order(session, number, settings=dashboard.waitlist, now=now)
        when = (
            waitlist.delivery_outlook(session, number, settings=dashboard.waitlist, now=now)
            if outlook
            else None
        )
        return view, when


def wish_label(wish: str, lang: str) -> str:
    """A wish id ("wings") as the button the relative tapped showed it; an unknown id as it is."""
    key = f"intake.button.wish_{wish}"
    return i18n.text(key, lang) if i18n.has(key, lang) else wish


async def order_page(request: web.Request) -> web.Response:
    number = order_number(request)
    dashboard = dashboard_of(request)
    done = request.query.get("done")
    done = done if done in DONE else None
    try:
        view, outlook = await asyncio.to_thread(_order, dashboard, number, done == "clip")
    except waitlist.OrderNotFound as exc:
        raise web.HTTPNotFound() from exc
    lang = request_lang(request)
    call = await interviews.order_call(request, number)  # interviews: the order's call, if any
    return render(
        request,
        "order.html",
        order=view,
        call=call,
        photos=[f for f in view.files if f.kind == "photo"],
        voices=[f for f in view.files if f.kind == "voice"],
        clips=[f for f in view.files if f.kind == "clip"],
        statuses=waitlist.STATUSES,
        done=done,
        outlook=outlook,
        can_deliver=view.status in DELIVERABLE,
        clip_max_mb=dashboard.settings.clip_max_mb,
        wish_label=lambda wish: wish_label(wish, lang),
    )


# Orders a finished clip may be uploaded for (a delivered one already has its clip: no second send).
DELIVERABLE = ("waiting", "in_progress")


def _change(dashboard: Dashboard, act: Callable[[Session], None]) -> int:
    """The founder's act and the notices it owes, committed together; returns the rows queued."""
    with Session(dashboard.engine) as session:
        begin_write(session)
        act(session)
        queued = queue_notices(session, dashboard.waitlist, dashboard.clock)
        session.commit()
    return queued


async def _apply(
    request: web.Request, number: int, act: Callable[[Session], None], done: str
) -> web.HTTPFound:
    """Do it; the answer is the order page with its notice, for the caller to raise."""
    dashboard = dashboard_of(request)
    try:
        queued = await asyncio.to_thread(_change, dashboard, act)
    except waitlist.OrderNotFound as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:  # not waiting any more (moved from another tab after a status change)
        raise web.HTTPConflict() from exc
    log.info("dashboard: order %d %s by %s", number, done, actor_of(request))
    if queued:
        dashboard.wake()
    return web.HTTPFound(f"/orders/{number}?done={done}")


def _reason(form: Any) -> str | None:
    return str(form.get("reason", "")).strip()[:MAX_REASON] or None


async def change_status(request: web.Request) -> web.StreamResponse:
    number = order_number(request)
    form = await request.post()
    status = str(form.get("status", ""))
    if status not in waitlist.STATUSES:
        raise web.HTTPBadRequest()
    reason = _reason(form)
    at = dashboard_of(request).clock.now()
    raise await _apply(
        request, number, lambda s: waitlist.set_status(s, number, status, reason, at=at), "status"
    )


async def move(request: web.Request) -> web.StreamResponse:
    """Put a waiting order at a place (1 = next), with the reason she gives (required, as in the CLI)."""
    number = order_number(request)
    form = await request.post()
    position = whole_number(str(form.get("position", "")).strip(), 100_000)
    reason = _reason(form)
    if not position or reason is None:
        raise web.HTTPBadRequest()
    at = dashboard_of(request).clock.now()
    raise await _apply(
        request, number, lambda s: waitlist.move_order(s, number, position, reason, at=at), "move"
    )


# -- the sign-up list -------------------------------------------------------------------------------


def _signups(dashboard: Dashboard) -> tuple[list[SignupView], bool, str]:
    with Session(dashboard.engine) as session:
        return signup_list(session), signups_open(session), reopen_hint(session)


async def signups_page(request: web.Request) -> web.Response:
    people, is_open, hint = await asyncio.to_thread(_signups, dashboard_of(request))
    done = request.query.get("done") in ("open", "closed")
    return render(request, "signups.html", signups=people, is_open=is_open, hint=hint, done=done)


async def switch_signups(request: web.Request) -> web.StreamResponse:
    """Open or close sign-ups as ``vkbot signups open|close --hint``; opening invites the first waiting."""
    form = await request.post()
    is_open = request.match_info["state"] == "open"
    hint = "" if is_open else str(form.get("hint", "")).strip()[:MAX_HINT]
    dashboard = dashboard_of(request)
    at = dashboard.clock.now()

    def act(session: Session) -> None:
        waitlist.set_signups_open(session, is_open, at=at, reopen_hint=hint)

    queued = await asyncio.to_thread(_change, dashboard, act)
    log.info("dashboard: sign-ups %s by %s", "opened" if is_open else "closed", actor_of(request))
    if queued:
        dashboard.wake()
    raise web.HTTPFound(f"/signups?done={'open' if is_open else 'closed'}")
