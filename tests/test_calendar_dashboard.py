"""The calendar page and hand-off list without a browser: slots laid out per day, hand-offs and failures
marked, clips and thumbnails only for a signed-in session, and every change behind its CSRF token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import aiohttp
import cv2
import numpy as np
import pytest
from sqlmodel import Session, select

import i18n
from publishing import PubPost, board
from publishing.effects import publish_key
from publishing.outcomes import record_failed
from tests.calendar_fixtures import (
    MONDAY_MORNING,
    PASSWORD,
    Seeded,
    calendar_config,
    calendar_site,
    seed,
)
from vkbot.clock import ManualClock
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow
from vkbot.dashboard.server import DashboardServer
from waitlist.filestore import LocalFileStore

MONDAY = date(2026, 11, 23)


@dataclass
class Site:
    server: DashboardServer
    seeded: Seeded
    http: aiohttp.ClientSession
    csrf: str

    @property
    def url(self) -> str:
        return self.server.url

    def post(self, post_id: int) -> PubPost:
        with Session(self.server.dashboard.engine) as session:
            found = session.get(PubPost, post_id)
            assert found is not None
            return found


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with (
        calendar_site(tmp_path) as (server, seeded),
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http,
    ):
        async with http.get(f"{server.url}/login") as answer:
            token = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
        assert token is not None
        login = {"csrf": token.group(1), "password": PASSWORD}
        async with http.post(f"{server.url}/login", data=login, allow_redirects=False) as answer:
            assert answer.status == 302
        async with http.get(f"{server.url}/calendar") as answer:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
        assert csrf is not None
        yield Site(server, seeded, http, csrf.group(1))


def test_three_clips_land_in_their_slots_with_the_hand_off_marked(tmp_path: Path) -> None:
    config = calendar_config(tmp_path)
    engine = make_engine(config.storage.database_url)
    migrate(engine)
    seeded = seed(engine, config.publishing, LocalFileStore(tmp_path / "files"), ManualClock(MONDAY_MORNING))
    with Session(engine) as session:
        week = board.week_days(session, config.publishing, date(2026, 11, 26))  # any day of the week
        assert week[0].day == MONDAY and len(week) == 7
        monday, tuesday = week[0], week[1]
        assert [(c.time, c.post_id, c.status) for c in monday.cells] == [
            ("12:00", seeded.posted, "posted"),
            ("19:00", seeded.queued, "queued"),
        ]
        assert [(c.time, c.post_id) for c in tuesday.cells] == [("12:00", seeded.handed), ("19:00", None)]
        assert tuesday.cells[0].handed and not tuesday.cells[0].failed
        assert all(len(d.cells) == 2 and not d.posts for d in week[2:]), "the other days show free slots"

        record_failed(
            session,
            publish_key(_guid(session, seeded.queued)),
            "VkApiError: [10]",
            config.publishing,
            at=MONDAY_MORNING,
        )
        session.commit()
        [_, failed] = board.week_days(session, config.publishing, MONDAY)[0].cells
        assert failed.failed and not failed.handed and failed.status == "handed_to_founder"

        weeks = board.month_days(session, config.publishing, 2026, 11)
        assert weeks[0][0].day == date(2026, 10, 26) and not weeks[0][0].in_range
        placed = {c.post_id: d.day for w in weeks for d in w for c in d.posts}
        assert placed == {seeded.posted: MONDAY, seeded.queued: MONDAY, seeded.handed: date(2026, 11, 24)}
    engine.dispose()


def _guid(session: Session, post_id: int) -> str:
    post = session.get(PubPost, post_id)
    assert post is not None
    return post.guid


async def test_clips_and_thumbnails_are_served_only_to_a_signed_in_session(site: Site) -> None:
    handed = site.seeded.handed
    async with aiohttp.ClientSession() as stranger:
        for path in (f"/calendar/posts/{handed}/clip", f"/calendar/posts/{handed}/thumb.jpg", "/calendar"):
            async with stranger.get(f"{site.url}{path}", allow_redirects=False) as answer:
                assert (answer.status, answer.headers["Location"]) == (302, "/login"), path
    async with site.http.get(f"{site.url}/calendar/posts/{handed}/clip") as answer:
        assert answer.status == 200 and "attachment" in answer.headers["Content-Disposition"]
        assert await answer.read() == site.seeded.clips[handed]
    async with site.http.get(f"{site.url}/calendar/posts/{handed}/thumb.jpg") as answer:
        frame = cv2.imdecode(np.frombuffer(await answer.read(), np.uint8), cv2.IMREAD_COLOR)
    assert frame.shape[:2] == (120, 160), "the clip's own frame, scaled to the calendar's width"
    async with site.http.get(f"{site.url}/calendar/posts/999999/clip") as answer:
        assert answer.status == 404


async def test_the_pages_show_the_slots_hand_off_and_the_caption_to_copy(site: Site) -> None:
    async with site.http.get(f"{site.url}/calendar") as answer:
        page = await answer.text()
    for post_id in (site.seeded.posted, site.seeded.queued, site.seeded.handed):
        assert f'id="post-{post_id}"' in page
    assert re.search(
        rf'class="slot post status-handed_to_founder handoff" id="post-{site.seeded.handed}"', page
    )
    async with site.http.get(f"{site.url}/calendar?view=month&start=2026-11-01") as answer:
        month = await answer.text()
    assert f'id="post-{site.seeded.handed}"' in month and 'id="day-2026-11-24"' in month
    async with site.http.get(f"{site.url}/calendar/handoffs") as answer:
        handoffs = await answer.text()
    caption = site.post(site.seeded.handed).caption
    assert re.search(r"<textarea readonly[^>]*>" + re.escape(caption.split("\n")[0]), handoffs)
    async with site.http.get(f"{site.url}/calendar?view=year") as answer:
        assert answer.status == 400


async def test_mark_as_posted_needs_its_token_and_keeps_the_calendar_true(site: Site) -> None:
    target = f"{site.url}/calendar/posts/{site.seeded.handed}/posted"
    async with site.http.post(target, data={"vk_post_id": "1"}, allow_redirects=False) as answer:
        assert answer.status == 403
    assert site.post(site.seeded.handed).status == "handed_to_founder"
    link = "https://vk.com/wall-1001_4242"
    async with site.http.post(
        target, data={"csrf": site.csrf, "vk_post_id": link}, allow_redirects=False
    ) as answer:
        assert (answer.status, answer.headers["Location"]) == (302, "/calendar/handoffs?done=posted")
    post = site.post(site.seeded.handed)
    assert (post.status, post.vk_post_id) == ("posted", 4242)
    async with site.http.post(target, data={"csrf": site.csrf}, allow_redirects=False) as answer:
        assert answer.status == 409, "marked once; a second press changes nothing"
    async with site.http.get(f"{site.url}/calendar/handoffs") as answer:
        assert i18n.text("calendar.handoffs.empty", "ru") in await answer.text()


async def test_pause_resume_move_and_pin_from_the_page(site: Site) -> None:
    async with site.http.post(f"{site.url}/calendar/pause", data={"csrf": site.csrf}) as answer:
        assert 'id="paused"' in await answer.text()
    async with site.http.post(f"{site.url}/calendar/resume", data={"csrf": site.csrf}) as answer:
        assert 'id="paused"' not in await answer.text()
    queued = site.seeded.queued
    form = {"csrf": site.csrf, "when": "2026-11-27T08:30", "how": "pin"}
    async with site.http.post(
        f"{site.url}/calendar/posts/{queued}/move", data=form, allow_redirects=False
    ) as answer:
        assert answer.headers["Location"] == "/calendar?start=2026-11-27&done=pinned"
    post = site.post(queued)
    assert post.pinned and post.slot_at is not None and f"{post.slot_at:%H:%M}" == "05:30"  # 08:30 Moscow
    form["how"] = "move"  # the first free slot from Friday 08:30: Friday 12:00
    async with site.http.post(
        f"{site.url}/calendar/posts/{queued}/move", data=form, allow_redirects=False
    ) as answer:
        assert answer.headers["Location"] == "/calendar?start=2026-11-27&done=moved"
    assert f"{site.post(queued).slot_at:%d %H:%M}" == "27 09:00"
    posted = site.seeded.posted  # on the wall already: refused, said on the page
    async with site.http.post(f"{site.url}/calendar/posts/{posted}/move", data=form) as answer:
        assert i18n.text("calendar.refused", "ru") in await answer.text()


async def test_comments_are_closed_from_the_page_on_the_wall_at_once_and_later_as_posted(site: Site) -> None:
    engine = site.server.dashboard.engine
    form = {"csrf": site.csrf, "closed": "1"}
    for post_id in (site.seeded.posted, site.seeded.queued, site.seeded.posted):  # the repeat changes nothing
        target = f"{site.url}/calendar/posts/{post_id}/comments"
        async with site.http.post(target, data=form, allow_redirects=False) as answer:
            assert answer.headers["Location"] == "/calendar?done=comments_closed"
    with Session(engine) as session:
        rows = session.exec(select(OutboxRow)).all()
    assert [(r.method, r.params) for r in rows] == [
        ("wall.closeComments", {"owner_id": -1001, "post_id": 777})
    ]
    assert site.post(site.seeded.queued).comments == "closed", "posted later with its comments closed"
    async with site.http.get(f"{site.url}/calendar") as answer:
        page = await answer.text()
    assert page.count(i18n.text("calendar.open_comments", "ru")) == 2
    async with site.http.post(
        f"{site.url}/calendar/posts/{site.seeded.handed}/comments", data=form
    ) as answer:
        assert answer.status == 409, "a hand-off is hers to post: its comments are hers to set"
