"""The publishing calendar and hand-off list in real headless Chromium.

One dashboard over a seeded calendar (three approved clips over Monday and Tuesday: one posted, one
scheduled, one handed to the founder for want of the wall right), one browser for the module; each
test opens a fresh context and signs in. Screenshots go to screenshots/ for a person to look at.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from publishing import PubPost
from tests import browser as shared
from tests.browser import CHROMIUM, chromium, ru
from tests.calendar_fixtures import PASSWORD, Seeded, calendar_site
from vkbot.dashboard.server import DashboardServer

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[DashboardServer, Seeded]]:
    async with calendar_site(tmp_path_factory.mktemp("calendar")) as served:
        yield served


@pytest.fixture(scope="module")
async def browser(site: Any) -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def page(browser: Any, site: tuple[DashboardServer, Seeded]) -> AsyncIterator[Any]:
    context = await browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    url = site[0].url
    await page.goto(f"{url}/login")
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.click("button[type=submit] >> text=" + ru("dashboard.login.submit"))
    yield page
    await context.close()


async def shot(page: Any, name: str) -> None:
    await shared.screenshot(page, f"calendar-{name}")


async def test_the_week_and_month_show_three_clips_in_their_slots_with_the_hand_off_marked(
    page: Any, site: tuple[DashboardServer, Seeded]
) -> None:
    server, seeded = site
    await page.click(f"header nav >> text={ru('calendar.nav')}")
    assert page.url == f"{server.url}/calendar"
    for day, post_id, time in (
        ("2026-11-23", seeded.posted, "12:00"),
        ("2026-11-23", seeded.queued, "19:00"),
        ("2026-11-24", seeded.handed, "12:00"),
    ):
        cell = page.locator(f"#day-{day} #post-{post_id}")
        assert await cell.locator(".time").inner_text() == time
        # The clip's own frame (64x48 scaled to 160x120), loaded from this site under its CSP.
        size = await cell.locator("img.thumb").evaluate("i => [i.complete, i.naturalWidth, i.naturalHeight]")
        assert size == [True, 160, 120], (post_id, size)
    handed = page.locator(f"#post-{seeded.handed}")
    assert "handoff" in (await handed.get_attribute("class") or "")
    assert ru("calendar.status.handed_to_founder") in await handed.inner_text()
    assert ru("calendar.status.posted") in await page.locator(f"#post-{seeded.posted}").inner_text()
    assert await page.locator("#day-2026-11-24 .slot.empty").count() == 1  # Tuesday 19:00 is free
    await shot(page, "week")

    async with page.expect_navigation():
        await page.click(f"nav.views >> text={ru('calendar.view.month')}")
    for day, post_id in (("2026-11-23", seeded.posted), ("2026-11-24", seeded.handed)):
        assert await page.locator(f"#day-{day} #post-{post_id}").count() == 1
    assert await page.locator(".slot.empty").count() == 0, "the month shows posts only"
    await shot(page, "month")


async def test_a_hand_off_offers_its_caption_and_clip_and_mark_as_posted_keeps_the_calendar_true(
    page: Any, site: tuple[DashboardServer, Seeded]
) -> None:
    server, seeded = site
    await page.goto(f"{server.url}/calendar")
    async with page.expect_navigation():
        await page.click(f"#post-{seeded.handed} >> text={ru('calendar.handoffs.open')}")
    section = page.locator(f"#handoff-{seeded.handed}")
    with Session(server.dashboard.engine) as session:
        post = session.get(PubPost, seeded.handed)
        assert post is not None
        caption = post.caption
    caption_box = section.locator("textarea.caption")
    assert await caption_box.input_value() == caption
    assert await caption_box.get_attribute("readonly") is not None
    await caption_box.click()
    await caption_box.press("Control+a")  # selectable without a script: what "copy caption" needs
    selected = await caption_box.evaluate("t => t.value.substring(t.selectionStart, t.selectionEnd)")
    assert selected == caption
    await shot(page, "handoffs")

    async with page.expect_download() as download_info:
        await section.locator("a.download").click()
    download = await download_info.value
    saved = await download.path()
    assert await asyncio.to_thread(Path(saved).read_bytes) == seeded.clips[seeded.handed]
    assert download.suggested_filename == "clip-103.mp4"

    await section.locator("input[name=vk_post_id]").fill("https://vk.com/wall-1001_5150")
    async with page.expect_navigation():
        await section.locator(f"button >> text={ru('calendar.handoffs.mark_posted')}").click()
    assert await page.inner_text("#notice") == ru("calendar.notice.posted")
    assert await page.locator(f"#handoff-{seeded.handed}").count() == 0
    with Session(server.dashboard.engine) as session:
        post = session.get(PubPost, seeded.handed)
        assert post is not None and (post.status, post.vk_post_id) == ("posted", 5150)

    await page.goto(f"{server.url}/calendar")
    cell = page.locator(f"#post-{seeded.handed}")
    assert "handoff" not in (await cell.get_attribute("class") or "")
    assert ru("calendar.status.posted") in await cell.inner_text()
