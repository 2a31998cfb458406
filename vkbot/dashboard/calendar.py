"""The publishing calendar (week and month) and the founder's hand-off list, with the CLI's changes.

Every change goes through the same ``publishing`` calls as `vkbot schedule ...`: pause, resume, move,
pin, "mark as posted" for a post she pasted by hand, and closing or opening a post's comments. Clips and thumbnails are served by post id to
a signed-in session only (the session middleware guards every path here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from sqlmodel import Session

from publishing import board
from publishing.calendar import CalendarError, move, parse_local, pause, pin, resume
from publishing.comments import set_comments
from publishing.models import PubPost
from publishing.outcomes import handed_to_founder, mark_posted_by_hand, takedowns_for_founder
from publishing.slots import is_paused
from vkbot.core.store.db import begin_write
from vkbot.dashboard import thumbs
from vkbot.dashboard.context import Dashboard, actor_of, dashboard_of
from vkbot.dashboard.paths import MAX_ID, path_id, whole_number
from vkbot.dashboard.render import render, request_lang
from vkbot.dashboard.words import when_in_words
from vkbot.effects.outbox import enqueue
from vkbot.effects.publisher import effect_requests
from waitlist.models import WlOrder

log = logging.getLogger("vkbot.dashboard.calendar")

NOTICES = ("paused", "resumed", "posted", "moved", "pinned", "comments_closed", "comments_open")


def _start(dashboard: Dashboard, raw: str | None) -> date:
    today = dashboard.clock.now().astimezone(dashboard.publishing.zone()).date()
    if not raw:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise web.HTTPBadRequest() from exc


def _read(dashboard: Dashboard, fn: Callable[[Session], Any]) -> Any:
    with Session(dashboard.engine) as session:
        return fn(session)


def _change(dashboard: Dashboard, fn: Callable[[Session], Any]) -> Any:
    with Session(dashboard.engine) as session:
        begin_write(session)
        result = fn(session)
        session.commit()
    return result


async def calendar_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    settings = dashboard.publishing
    view = request.query.get("view", "week")
    if view not in ("week", "month"):
        raise web.HTTPBadRequest()
    start = _start(dashboard, request.query.get("start"))

    def load(session: Session) -> dict[str, Any]:
        found: dict[str, Any] = {"paused": is_paused(session), "awaiting": board.awaiting(session)}
        if view == "week":
            monday = start - timedelta(days=start.weekday())
            found["weeks"] = [board.week_days(session, settings, monday)]
            found["prev"], found["next"] = monday - timedelta(days=7), monday + timedelta(days=7)
        else:
            first = start.replace(day=1)
            found["weeks"] = board.month_days(session, settings, first.year, first.month)
            found["prev"] = (first - timedelta(days=1)).replace(day=1)
            found["next"] = (first + timedelta(days=32)).replace(day=1)
        return found

    found = await asyncio.to_thread(_read, dashboard, load)
    done = request.query.get("done")
    return render(
        request,
        "calendar.html",
        view=view,
        start=start,
        timezone=settings.timezone,
        done=done if done in NOTICES else None,
        error=request.query.get("error") == "refused",
        **found,
    )


async def handoffs_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)

    def load(session: Session) -> dict[str, Any]:
        def numbered(posts: list[PubPost]) -> list[tuple[PubPost, int | None]]:
            orders = [session.get(WlOrder, p.order_id) for p in posts]
            return [(p, o.number if o is not None else None) for p, o in zip(posts, orders, strict=True)]

        return {
            "handoffs": numbered(handed_to_founder(session)),
            "takedowns": numbered(takedowns_for_founder(session)),
        }

    found = await asyncio.to_thread(_read, dashboard, load)
    done = request.query.get("done")
    return render(
        request,
        "handoffs.html",
        group_id=dashboard.group_id,
        slot_time=lambda moment: when_in_words(
            moment, dashboard.clock.now(), dashboard.publishing.zone(), request_lang(request)
        ),
        done=done if done in NOTICES else None,
        **found,
    )


def _file_of(dashboard: Dashboard, post_id: int) -> tuple[str, int | None]:
    def load(session: Session) -> tuple[str, int | None]:
        post = session.get(PubPost, post_id)
        if post is None:
            raise web.HTTPNotFound()
        order = session.get(WlOrder, post.order_id)
        return post.file_id, order.number if order is not None else None

    result: tuple[str, int | None] = _read(dashboard, load)
    return result


async def thumbnail(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    file_id, _number = await asyncio.to_thread(_file_of, dashboard, path_id(request, "post_id"))
    body = await asyncio.to_thread(thumbs.thumbnail, dashboard.files, file_id)
    return web.Response(body=body, content_type="image/jpeg")


async def download_clip(request: web.Request) -> web.Response:
    """The clip to post by hand, as a file download."""
    dashboard = dashboard_of(request)
    post_id = path_id(request, "post_id")
    file_id, number = await asyncio.to_thread(_file_of, dashboard, post_id)
    if dashboard.files is None:
        raise web.HTTPNotFound()
    try:
        data = await asyncio.to_thread(dashboard.files.open, file_id)
    except (OSError, ValueError) as exc:
        log.error("clip %s of post %s is not in the file store", file_id, post_id)
        raise web.HTTPNotFound() from exc
    name = f"clip-{number or post_id}.mp4"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return web.Response(body=data, content_type="video/mp4", headers=headers)


async def mark_posted(request: web.Request) -> web.StreamResponse:
    """She pasted the hand-off herself: the calendar shows it posted (with the wall post's id if given)."""
    dashboard = dashboard_of(request)
    post_id = path_id(request, "post_id")
    form = await request.post()
    raw = str(form.get("vk_post_id", "")).strip().rsplit("_", 1)[-1]  # an id or a wall link
    vk_post_id = whole_number(raw, MAX_ID)
    now = dashboard.clock.now()
    try:
        await asyncio.to_thread(
            _change, dashboard, lambda s: mark_posted_by_hand(s, post_id, vk_post_id, at=now)
        )
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:  # no longer a hand-off (marked already, or withdrawn meanwhile)
        raise web.HTTPConflict() from exc
    log.info("post %s marked as posted by hand by %s", post_id, actor_of(request))
    raise web.HTTPFound("/calendar/handoffs?done=posted")


async def set_paused(request: web.Request) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    paused = request.path.endswith("/pause")
    now = dashboard.clock.now()
    await asyncio.to_thread(_change, dashboard, lambda s: (pause if paused else resume)(s, now))
    log.info("publishing %s by %s", "paused" if paused else "resumed", actor_of(request))
    raise web.HTTPFound(f"/calendar?done={'paused' if paused else 'resumed'}")


async def move_post(request: web.Request) -> web.StreamResponse:
    """Move to the first free slot from a time, or pin exactly at it (as `vkbot schedule move|pin`)."""
    dashboard = dashboard_of(request)
    settings = dashboard.publishing
    post_id = path_id(request, "post_id")
    form = await request.post()
    how = str(form.get("how", "move"))
    if how not in ("move", "pin"):
        raise web.HTTPBadRequest()
    now = dashboard.clock.now()
    act = move if how == "move" else pin
    try:
        when = parse_local(settings, str(form.get("when", "")))
        slot = await asyncio.to_thread(
            _change, dashboard, lambda s: act(s, settings, post_id, when, now).slot_at
        )
    except CalendarError as exc:
        log.info("calendar change of post %s refused: %s", post_id, exc)
        raise web.HTTPFound("/calendar?error=refused") from exc
    log.info("post %s: %s to %s by %s", post_id, how, slot, actor_of(request))
    day = slot.astimezone(settings.zone()).date().isoformat()
    raise web.HTTPFound(f"/calendar?start={day}&done={'moved' if how == 'move' else 'pinned'}")


async def switch_comments(request: web.Request) -> web.StreamResponse:
    """Close (or open) the comments under a post: at once on the wall, or as it goes up."""
    dashboard = dashboard_of(request)
    post_id = path_id(request, "post_id")
    closed = str((await request.post()).get("closed", "")) == "1"
    now = dashboard.clock.now()

    def switch(session: Session) -> int:
        effect = set_comments(session, post_id, closed, now)
        return enqueue(session, effect_requests([effect] if effect else [], dashboard.group_id), now=now)

    try:
        queued = await asyncio.to_thread(_change, dashboard, switch)
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    except ValueError as exc:  # withdrawn, declined...: nothing to switch
        raise web.HTTPConflict() from exc
    if queued:
        dashboard.wake()
    log.info("post %s: comments %s by %s", post_id, "closed" if closed else "opened", actor_of(request))
    raise web.HTTPFound(f"/calendar?done={'comments_closed' if closed else 'comments_open'}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/calendar", calendar_page)
    app.router.add_get("/calendar/handoffs", handoffs_page)
    app.router.add_get("/calendar/posts/{post_id}/thumb.jpg", thumbnail)
    app.router.add_get("/calendar/posts/{post_id}/clip", download_clip)
    app.router.add_post("/calendar/posts/{post_id}/posted", mark_posted)
    app.router.add_post("/calendar/posts/{post_id}/move", move_post)
    app.router.add_post("/calendar/posts/{post_id}/comments", switch_comments)
    app.router.add_post("/calendar/pause", set_paused)
    app.router.add_post("/calendar/resume", set_paused)
