"""Her calls: one day's calls with the order beside each (``/interviews?day=``), the relatives who asked
to be written to, one call's page where she moves or cancels it (``/interviews/<id>``, the same forms
as on its order's page), and the calendar feed her phone subscribes to (``/interviews/feed/<token>.ics``).

A move or a cancel queues the relative's message in the same transaction (``waitlist.interviews.changes``
makes it a notice; ``queue_notices`` sends it now when it may go now), as the order page's actions do.

The feed is the one page without a session (a phone calendar cannot sign in): its address carries a
secret from the config ([waitlist.interviews] feed_token, kept in the secrets file), compared in
constant time; a wrong or unset token is a plain 404.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlmodel import Session

import i18n
from vkbot.core.store.db import begin_write
from vkbot.dashboard.audit import note
from vkbot.dashboard.context import Dashboard, account_of, actor_of, dashboard_of
from vkbot.dashboard.paths import path_id
from vkbot.dashboard.render import render, request_lang
from vkbot.ops.jobs import queue_notices
from waitlist.interviews.booking import her_zone, mark_written
from waitlist.interviews.changes import cancel_call, move_call, move_times
from waitlist.interviews.hours import FreeHours, format_range, load_hours
from waitlist.interviews.ics import calendar_feed
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.interviews.views import (
    InterviewView,
    call_of_order,
    call_view,
    day_interviews,
    upcoming_interviews,
    write_me_requests,
)
from waitlist.interviews.words import day_words, time_words
from waitlist.models import WlOrder
from waitlist.notify import NoticeOutlook, notice_outlook

__all__ = [
    "FEED_PREFIX",
    "call_page",
    "cancel",
    "feed",
    "interviews_page",
    "move",
    "order_call",
    "written",
]

log = logging.getLogger("vkbot.dashboard")

FEED_PREFIX = "/interviews/feed/"
FEED_PAST_DAYS = 30  # the feed keeps a month of past calls, so her calendar does not empty behind her
DONE = ("moved", "cancelled", "taken")  # what the call's panel says after her action (?call=...)


@dataclass(frozen=True)
class DayPage:
    day: date
    calls: list[InterviewView]
    write_me: list[InterviewView]
    hours: FreeHours


def _day_page(dashboard: Dashboard, day: date) -> DayPage:
    tz = her_zone(dashboard.waitlist)
    with Session(dashboard.engine) as session:
        return DayPage(
            day,
            day_interviews(session, day, tz),
            write_me_requests(session),
            load_hours(session, dashboard.waitlist.interviews),
        )


def _day(request: web.Request, today: date) -> date:
    raw = request.query.get("day", "")
    if not raw:
        return today
    try:
        return date.fromisoformat(raw[:10])
    except ValueError as exc:
        raise web.HTTPBadRequest() from exc


async def interviews_page(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    tz = her_zone(dashboard.waitlist)
    now = dashboard.clock.now()
    today = now.astimezone(tz).date()
    day = _day(request, today)
    page = await asyncio.to_thread(_day_page, dashboard, day)
    lang = request_lang(request)
    token = dashboard.waitlist.interviews.feed_token.get_secret_value()
    account = account_of(request)
    founder = account is not None and account.founder  # the feed's secret address is hers alone
    noon = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=12)

    def local(moment: datetime | None, zone: str | None = None) -> str:
        return f"{moment.astimezone(ZoneInfo(zone) if zone else tz):%H:%M}" if moment else ""

    weekly, exceptions = _hours_rows(page.hours, lang, today)
    return render(
        request,
        "interviews.html",
        page=page,
        day_title=_title(noon, tz, lang, now),
        today=today,
        previous=(day - timedelta(days=1)).isoformat(),
        following=(day + timedelta(days=1)).isoformat(),
        local=local,
        her_tz=tz.key,
        show_feed=founder,
        done=request.query.get("done") == "written",
        feed_url=f"{request.scheme}://{request.host}{FEED_PREFIX}{token}.ics" if token and founder else "",
        weekly=weekly,
        exceptions=exceptions,
    )


def _title(noon: datetime, tz: ZoneInfo, lang: str, now: datetime) -> str:
    """ "сегодня, понедельник, 7 декабря": the near days by name, always with the date."""
    near, date_words = day_words(noon, tz, lang, now), day_words(noon, tz, lang)
    return date_words if near == date_words else f"{near}, {date_words}"


HoursRow = tuple[str, list[str]]


def _hours_rows(
    hours: FreeHours, lang: str, today: date
) -> tuple[list[HoursRow], list[tuple[str, str, list[str]]]]:
    """Her week (weekday name, ranges) and the exceptions still to come (date, "off"/"extra", ranges)."""
    weekly = [
        (i18n.text(f"interviews.weekday.{d}", lang), [format_range(r) for r in hours.weekly.get(d, ())])
        for d in range(7)
    ]
    exceptions = [
        (d.isoformat(), kind, [format_range(r) for r in ranges])
        for kind, days in (("off", hours.off), ("extra", hours.extra))
        for d, ranges in sorted(days.items())
        if d >= today
    ]
    return weekly, sorted(exceptions)


def _mark_written(dashboard: Dashboard, interview_id: int) -> bool:
    with Session(dashboard.engine) as session:
        begin_write(session)
        marked = mark_written(session, interview_id, dashboard.clock.now())
        session.commit()
    return marked


async def written(request: web.Request) -> web.StreamResponse:
    """ "I have written to them": the request leaves her list (the audit trail keeps who marked it)."""
    interview_id = path_id(request, "interview_id")
    note(request, f"interview {interview_id}")
    if not await asyncio.to_thread(_mark_written, dashboard_of(request), interview_id):
        raise web.HTTPNotFound()
    raise web.HTTPFound("/interviews?done=written")


def _feed_calls(dashboard: Dashboard) -> list[InterviewView]:
    since = dashboard.clock.now() - timedelta(days=FEED_PAST_DAYS)
    with Session(dashboard.engine) as session:
        return upcoming_interviews(session, since)


async def feed(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    token = dashboard.waitlist.interviews.feed_token.get_secret_value()
    given = request.match_info.get("token", "")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise web.HTTPNotFound()
    calls = await asyncio.to_thread(_feed_calls, dashboard)
    lang = i18n.DEFAULT_LANGUAGE  # her calendar, in the language of her texts to herself
    body = calendar_feed(
        calls,
        name=i18n.text("dashboard.interviews.feed_name", lang),
        summary=i18n.text("dashboard.interviews.feed_summary", lang),
        description=i18n.text("dashboard.interviews.feed_description", lang),
        host=f"vk{dashboard.group_id}",
    )
    return web.Response(
        body=body.encode("utf-8"),
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


# -- one call: moved or cancelled by her ------------------------------------------------------------


@dataclass(frozen=True)
class CallPanel:
    """One call as its page and its order's page show it, with the free times it may move to."""

    call: InterviewView
    when: str  # in her zone, in words ("завтра, 10:00")
    their_time: str  # the relative's clock when it is not hers, else ""
    times: list[tuple[str, str]]  # (slot key, words) she may move it to; empty unless booked
    done: str | None
    outlook: NoticeOutlook | None  # when the relative hears of her change


def _panel(
    session: Session, dashboard: Dashboard, call: InterviewView, lang: str, done: str | None
) -> CallPanel:
    tz, now = her_zone(dashboard.waitlist), dashboard.clock.now()
    times: list[tuple[str, str]] = []
    row = session.get(WlInterview, call.id)
    if row is not None and call.status == "booked":
        moves = move_times(session, row, dashboard.waitlist, now)
        times = [(slot_key(t), time_words(t, tz, lang, now)) for t in moves]
    their = ""
    if call.starts_at is not None and call.tz != tz.key:
        their = f"{call.starts_at.astimezone(ZoneInfo(call.tz)):%H:%M}"
    outlook = (
        notice_outlook(session, call.order_id, settings=dashboard.waitlist, now=now)
        if done in ("moved", "cancelled")
        else None
    )
    # Always with the time ("завтра, 10:00", "среда, 9 декабря, 10:00"), as on the day page and the list.
    when = time_words(call.starts_at, tz, lang, now) if call.starts_at else ""
    return CallPanel(call, when, their, times, done, outlook)


def _done(request: web.Request) -> str | None:
    done = request.query.get("call")
    return done if done in DONE else None


def _read_panel(
    dashboard: Dashboard, find: Callable[[Session], InterviewView | None], lang: str, done: str | None
) -> CallPanel | None:
    with Session(dashboard.engine) as session:
        call = find(session)
        return _panel(session, dashboard, call, lang, done) if call is not None else None


async def order_call(request: web.Request, number: int) -> CallPanel | None:
    """The call block of order ``number``'s page (None: no call was ever arranged)."""
    return await asyncio.to_thread(
        _read_panel,
        dashboard_of(request),
        lambda session: call_of_order(session, number),
        request_lang(request),
        _done(request),
    )


async def call_page(request: web.Request) -> web.Response:
    interview_id = path_id(request, "interview_id")
    panel = await asyncio.to_thread(
        _read_panel,
        dashboard_of(request),
        lambda session: call_view(session, interview_id),
        request_lang(request),
        _done(request),
    )
    if panel is None:
        raise web.HTTPNotFound()
    return render(request, "interview_call.html", panel=panel)


@dataclass(frozen=True)
class Changed:
    outcome: str  # moved | cancelled | taken (nothing changed) | not_booked (nothing to change)
    number: int | None  # the call's order
    queued: int  # outbox rows added (the relative's message, when it may go now)


def _change(dashboard: Dashboard, interview_id: int, start: datetime | None) -> Changed:
    """Move (to ``start``) or cancel (None) in one transaction with the relative's message."""
    with Session(dashboard.engine) as session:
        begin_write(session)
        interview = session.get(WlInterview, interview_id)
        if interview is None:
            raise LookupError(interview_id)
        order = session.get(WlOrder, interview.order_id)
        number = order.number if order is not None else None
        now = dashboard.clock.now()
        if interview.status != "booked":
            return Changed("not_booked", number, 0)
        if start is None:
            cancel_call(session, interview, now)
        elif move_call(session, interview, start, dashboard.waitlist, now) != "booked":
            return Changed("taken", number, 0)  # rolled back on leaving: the call keeps its time
        queued = queue_notices(session, dashboard.waitlist, dashboard.clock)
        session.commit()
    return Changed("moved" if start else "cancelled", number, queued)


def _back(form: Any, interview_id: int, changed: Changed) -> str:
    if form.get("back") == "order" and changed.number is not None:
        return f"/orders/{changed.number}?call={changed.outcome}#call"
    return f"/interviews/{interview_id}?call={changed.outcome}"


async def _act(request: web.Request, moving: bool) -> web.StreamResponse:
    interview_id = path_id(request, "interview_id")
    form = await request.post()
    start = None
    if moving:
        try:
            start = datetime.strptime(str(form.get("at", "")), "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
        except ValueError as exc:
            raise web.HTTPBadRequest() from exc
    note(request, f"interview {interview_id}" + (f" to {slot_key(start)}" if start else ""))
    dashboard = dashboard_of(request)
    try:
        changed = await asyncio.to_thread(_change, dashboard, interview_id, start)
    except LookupError as exc:
        raise web.HTTPNotFound() from exc
    if changed.outcome == "not_booked":
        raise web.HTTPConflict()  # cancelled or moved meanwhile (another tab, the relative)
    log.info("dashboard: interview %d %s by %s", interview_id, changed.outcome, actor_of(request))
    if changed.queued:
        dashboard.wake()
    raise web.HTTPFound(_back(form, interview_id, changed))


async def move(request: web.Request) -> web.StreamResponse:
    """Move a booked call to one of her free times (field ``at``, a slot key); the relative is told."""
    return await _act(request, moving=True)


async def cancel(request: web.Request) -> web.StreamResponse:
    """Cancel a booked call; the relative is told, their order keeps its place."""
    return await _act(request, moving=False)
