"""Her calls in the dashboard without a browser: the day page, today's calls for "Needs you", the
phone's calendar feed (a secret address, valid iCalendar), and every wording in three languages."""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import icalendar
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.test_interviews_booking import EVERY_DAY, NOON, due, settings, times
from vkbot.clock import ManualClock
from vkbot.config import load_config
from vkbot.core.store.db import make_engine, migrate
from vkbot.dashboard import accounts
from vkbot.dashboard.needs import Call, todays_interviews
from vkbot.dashboard.server import DashboardServer, dashboard_server
from vkbot.ops.health import HealthSources
from waitlist.filestore import LocalFileStore
from waitlist.interviews.booking import her_zone, interview_for, write_me
from waitlist.interviews.ics import calendar_feed
from waitlist.interviews.views import InterviewView
from waitlist.models import WlOrder
from waitlist.testing import Desk, complete_order

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"
TOKEN = "feed-token-0123456789abcdefXYZ"


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


@dataclass
class Served:
    server: DashboardServer
    engine: Engine
    clock: ManualClock
    http: aiohttp.ClientSession


async def _serve(tmp_path: Path, **env: str) -> tuple[DashboardServer, Engine, ManualClock]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    clock = ManualClock(NOON)
    desk = Desk(engine, LocalFileStore(tmp_path / "files"), settings=settings(), clock=clock)
    for peer in (1, 2):
        complete_order(desk, peer, photos=0)
    for offer in due(desk):
        desk.send(offer.peer_id, payload=times(offer)[offer.peer_id - 1][1])  # Thursday 10:00 and 11:00
    config = load_config(
        None,
        environ={
            "VKBOT_DASHBOARD__ENABLED": "true",
            "VKBOT_DASHBOARD__PASSWORD": PASSWORD,
            "VKBOT_DASHBOARD__PORT": "0",
            "VKBOT_WAITLIST__INTERVIEWS__ENABLED": "true",
            "VKBOT_WAITLIST__INTERVIEWS__WEEKLY": json.dumps(EVERY_DAY),
            **env,
        },
    )
    server = dashboard_server(
        config, engine, HealthSources(engine, 1, _Listener(), clock=clock), wake=lambda: None, clock=clock
    )
    assert server is not None
    return server, engine, clock


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    server, engine, clock = await _serve(tmp_path, VKBOT_WAITLIST__INTERVIEWS__FEED_TOKEN=TOKEN)
    stop = asyncio.Event()
    task = asyncio.create_task(server.run(stop))
    await asyncio.wait_for(server.started.wait(), 10)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        try:
            yield Served(server, engine, clock, http)
        finally:
            stop.set()
            await task
            engine.dispose()


async def _sign_in(served: Served, name: str = "", password: str = PASSWORD) -> None:
    url = served.server.url
    async with served.http.get(f"{url}/login") as answer:
        token = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
    assert token is not None
    data = {"csrf": token.group(1), "name": name, "password": password}
    async with served.http.post(f"{url}/login", data=data, allow_redirects=False) as answer:
        assert answer.status == 302


async def test_the_day_page_lists_that_days_calls_with_their_orders(served: Served) -> None:
    url = served.server.url
    async with served.http.get(f"{url}/interviews", allow_redirects=False) as answer:
        assert answer.status == 302 and answer.headers["Location"] == "/login"
    await _sign_in(served)
    async with served.http.get(f"{url}/interviews") as answer:
        today = await answer.text()
    assert "Звонки: сегодня, среда, 25 ноября" in today and "В этот день звонков нет." in today
    assert 'href="/interviews?day=2026-11-26"' in today  # the next day is one click away
    async with served.http.get(f"{url}/interviews?day=2026-11-26") as answer:
        page = await answer.text()
    assert "Звонки: завтра, четверг, 26 ноября" in page
    rows = re.findall(r'<tr id="call-\d+">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    assert "10:00–10:45" in rows[0] and 'href="/orders/1"' in rows[0] and "Мария Ивановна" in rows[0]
    assert "11:00–11:45" in rows[1] and 'href="/orders/2"' in rows[1]
    assert f"/interviews/feed/{TOKEN}.ics" in page
    async with served.http.get(f"{url}/interviews?day=26.11.2026") as answer:
        assert answer.status == 400


async def test_a_helper_sees_the_days_calls_but_never_the_feeds_secret(served: Served) -> None:
    with Session(served.engine) as session:
        accounts.add_helper(session, "anna", "the helper's own password", datetime.now(UTC))
        session.commit()
    await _sign_in(served, "anna", "the helper's own password")
    async with served.http.get(f"{served.server.url}/interviews?day=2026-11-26") as answer:
        page = await answer.text()
    assert answer.status == 200 and len(re.findall(r'<tr id="call-\d+">', page)) == 2
    assert TOKEN not in page and "/interviews/feed/" not in page


def _today(served: Served) -> list[Call]:
    with Session(served.engine) as session:
        return todays_interviews(session, served.clock.now(), her_zone(served.server.dashboard.waitlist))


async def test_todays_calls_are_listed_under_needs_you(served: Served) -> None:
    assert _today(served) == []
    await _sign_in(served)
    async with served.http.get(f"{served.server.url}/needs") as answer:
        assert 'id="needs-interviews"' not in await answer.text()
    served.clock.set(datetime(2026, 11, 26, 5, 0, tzinfo=UTC))  # 08:00 on Thursday in Moscow
    calls = _today(served)
    assert [c.who.order_number for c in calls] == [1, 2]
    assert calls[0].at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    await _sign_in(served)  # a new day, a new sign-in (sessions last 12 hours)
    async with served.http.get(f"{served.server.url}/needs") as answer:
        page = await answer.text()
    section = page[page.index('id="needs-interviews"') :]
    assert 'href="/conversations/1"' in section and 'href="/conversations/2"' in section


async def test_the_feed_needs_its_secret_and_is_valid_icalendar(served: Served) -> None:
    url = served.server.url
    async with served.http.get(f"{url}/interviews/feed/{TOKEN[:-1]}x.ics") as answer:
        assert answer.status == 404
    async with aiohttp.ClientSession() as phone, phone.get(f"{url}/interviews/feed/{TOKEN}.ics") as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/calendar")
        body = await answer.read()
    calendar = icalendar.Calendar.from_ical(body)
    events = [e for e in calendar.walk("VEVENT")]
    assert [e.decoded("DTSTART") for e in events] == [
        datetime(2026, 11, 26, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    ]
    assert [e.decoded("DTEND") - e.decoded("DTSTART") for e in events] == [timedelta(minutes=45)] * 2
    assert str(events[0]["SUMMARY"]) == "Звонок: заказ № 1, Мария Ивановна"
    assert len({str(e["UID"]) for e in events}) == 2


async def test_without_a_token_there_is_no_feed(tmp_path: Path) -> None:
    server, engine, _ = await _serve(tmp_path)
    stop = asyncio.Event()
    task = asyncio.create_task(server.run(stop))
    await asyncio.wait_for(server.started.wait(), 10)
    try:
        async with aiohttp.ClientSession() as phone:
            for token in ("", "anything-at-all-0123456789"):
                async with phone.get(f"{server.url}/interviews/feed/{token}.ics") as answer:
                    assert answer.status == 404
    finally:
        stop.set()
        await task
        engine.dispose()


def test_the_feed_escapes_and_folds_what_relatives_wrote() -> None:
    subject = 'Иванова; Мария, "мама"\\ и ещё\nвторая строка ' + "очень длинное имя " * 8
    call = InterviewView(
        id=7,
        order_id=3,
        order_number=3,
        order_status="waiting",
        subject_name=subject,
        relation="дочь",
        contact="+7 900 000-00-00, после 18:00",
        peer_id=1,
        status="booked",
        starts_at=datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        minutes=45,
        tz="Europe/Berlin",
        tz_assumed=False,
        updated_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    text = calendar_feed(
        [call], name="Звонки", summary="{subject}", description="Контакт: {contact}", host="vk1"
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == subject
    assert str(event["DESCRIPTION"]) == "Контакт: +7 900 000-00-00, после 18:00"


def _keys(lang: str) -> set[str]:
    tree = tomllib.loads((ROOT / "i18n" / "locales" / lang / "interviews.toml").read_text(encoding="utf-8"))

    def walk(node: dict[str, Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for key, value in node.items():
            found |= walk(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"}
        return found

    return walk(tree, "")


def test_every_interview_wording_exists_in_russian_ukrainian_and_english() -> None:
    ru = _keys("ru")
    assert _keys("uk") == ru and _keys("en") == ru
    assert len(ru) > 60
    for name in ("interviews.html", "interview_call.html", "_call.html"):
        template = (ROOT / "vkbot" / "dashboard" / "templates" / name).read_text(encoding="utf-8")
        assert set(re.findall(r'\bt\("([a-z_.]+)"[,)]', template)) <= ru, name
    # Built in the templates from a call's state and from when the relative hears of her change.
    states = ("offered", "booked", "write_me", "written", "cancelled", "lapsed")
    assert {f"dashboard.interviews.status.{s}" for s in states} <= ru
    assert {f"dashboard.interviews.told_{w}" for w in ("sent", "window", "next_message")} <= ru


async def test_she_marks_a_write_to_me_request_as_written(served: Served) -> None:
    with Session(served.engine) as session:
        order = session.exec(select(WlOrder).where(WlOrder.number == 2)).one()
        call = interview_for(session, order, settings(), NOON)
        write_me(session, call, NOON)
        session.commit()
        call_id = call.id
    await _sign_in(served)
    url = served.server.url
    async with served.http.get(f"{url}/interviews") as answer:
        page = await answer.text()
    assert f'id="write-{call_id}"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    async with served.http.post(
        f"{url}/interviews/{call_id}/written", data={}, allow_redirects=False
    ) as answer:
        assert answer.status == 403  # without the form's token
    async with served.http.post(
        f"{url}/interviews/{call_id}/written", data={"csrf": csrf.group(1)}, allow_redirects=False
    ) as answer:
        assert answer.status == 302 and answer.headers["Location"] == "/interviews?done=written"
    async with served.http.get(f"{url}/interviews?done=written") as answer:
        page = await answer.text()
    assert f'id="write-{call_id}"' not in page and "Отмечено: вы написали." in page
    async with served.http.post(
        f"{url}/interviews/{call_id}/written", data={"csrf": csrf.group(1)}, allow_redirects=False
    ) as answer:
        assert answer.status == 404  # nothing left to mark
