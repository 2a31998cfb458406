"""Her calls: one day's calls with the order beside each (``/interviews?day=``), the relatives who asked
to be written to, and the calendar feed her phone subscribes to (``/interviews/feed/<token>.ics``).

The feed is the one page without a session (a phone calendar cannot sign in): its address carries a
secret from the config ([waitlist.interviews] feed_token, kept in the secrets file), compared in
constant time; a wrong or unset token is a plain 404.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlmodel import Session

import i18n
from vkbot.core.store.db import begin_write
from vkbot.dashboard.audit import note
from vkbot.dashboard.context import Dashboard, account_of, dashboard_of
from vkbot.dashboard.paths import path_id
from vkbot.dashboard.render import render, request_lang
from waitlist.interviews.booking import her_zone, mark_written
from waitlist.interviews.hours import FreeHours, format_range, load_hours
from waitlist.interviews.ics import calendar_feed
from waitlist.interviews.views import InterviewView, day_interviews, upcoming_interviews, write_me_requests
from waitlist.interviews.words import day_words

__all__ = ["FEED_PREFIX", "feed", "interviews_page", "today_interviews", "written"]

FEED_PREFIX = "/interviews/feed/"
FEED_PAST_DAYS = 30  # the feed keeps a month of past calls, so her calendar does not empty behind her


def today_interviews(dashboard: Dashboard) -> list[InterviewView]:
    """Today's calls in her zone, earliest first (for the "Needs you" page)."""
    tz = her_zone(dashboard.waitlist)
    with Session(dashboard.engine) as session:
        return day_interviews(session, dashboard.clock.now().astimezone(tz).date(), tz)


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
