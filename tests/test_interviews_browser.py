"""Interview booking end to end, with the founder's day page in real headless Chromium.

One suite for the module (the production app against the sandbox, on a ``ManualClock``, the default
9-21 sending window): a relative books a call by tapping a time button in the sandbox, both are reminded
the day before and an hour before inside the window, and the call shows on her day page. A screenshot of
the page is kept under ``screenshots/`` for a person to look at. She then moves the call from its order
page, and the relative is told.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import requests

from tests.app_helpers import eventually, running_app, sandbox_config
from tests.browser import CHROMIUM, PASSWORD, chromium, screenshot
from tests.test_dashboard_browser import sign_in
from tests.test_intake_sandbox import Relative
from tests.test_interviews_sandbox import EVERY_DAY, FOUNDER, call_of, pass_once, time_buttons
from vkbot.app import App
from vkbot.clock import ManualClock
from vkbot.sandbox import SandboxControl, SandboxThread

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")

SUNDAY_NIGHT = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)  # 23:30 in Moscow: outside the window
MONDAY_MORNING = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)  # 09:30 in Moscow: inside the window
FEED_TOKEN = "browser-feed-token-0123456789abcdef"


@dataclass
class Suite:
    app: App
    url: str
    sandbox: SandboxControl
    clock: ManualClock
    relative: Relative
    booked_label: str
    reminders: list[dict[str, Any]]


@pytest.fixture(scope="module")
async def suite(
    sandbox_server: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    await asyncio.to_thread(requests.post, f"{sandbox_server.url}/sandbox/reset", timeout=10)
    folder = tmp_path_factory.mktemp("interviews")
    config = sandbox_config(
        sandbox_server.url,
        f"sqlite:///{folder / 'suite.db'}",
        folder / "files",
        waitlist={"queue_limit": 1000},
        waitlist__interviews={
            "enabled": "true",
            "weekly": json.dumps(EVERY_DAY),
            "min_notice_hours": "30",
            "feed_token": FEED_TOKEN,
        },
        alerts={"founder_user_id": FOUNDER},
        dashboard={"enabled": "true", "port": 0, "password": PASSWORD},
    )
    clock = ManualClock(SUNDAY_NIGHT)
    async with aiohttp.ClientSession() as http, running_app(config, clock=clock) as app:
        sandbox = SandboxControl(http, sandbox_server.url)
        await sandbox.allow(FOUNDER)
        assert app.dashboard is not None
        await asyncio.wait_for(app.dashboard.started.wait(), 10)
        await sandbox.wait_for_call("groups.getLongPollServer")
        relative = Relative(sandbox, 6001)
        await relative.start()
        await relative.finish(photo=False)

        assert await pass_once(app, clock) == 0  # 23:30 for them: the offer waits for the morning
        clock.set(MONDAY_MORNING)
        assert await pass_once(app, clock) == 1
        [offer] = await relative.answers()
        label, payload = time_buttons(offer)[0]  # the relative taps the first time offered
        await sandbox.inject_message(relative.user_id, label, payload=payload)
        await relative.answers()
        starts = call_of(app, relative.user_id).starts_at
        assert starts is not None
        reminders: list[dict[str, Any]] = []
        for before in (timedelta(hours=24), timedelta(hours=1)):
            clock.set(starts - before)
            assert await pass_once(app, clock) == 2  # one to the relative, one to her
            reminders += await relative.answers()

        async def founder_reminded() -> bool:
            """both of the founder's reminders reached VK"""
            return len(await sandbox.sent(peer_id=FOUNDER)) == 2

        await eventually(founder_reminded)
        assert await pass_once(app, clock) == 0  # each reminder once
        clock.set(MONDAY_MORNING)  # her dashboard opens on "today", the day the relative booked
        yield Suite(app, app.dashboard.url, sandbox, clock, relative, label, reminders)


@pytest.fixture(scope="module")
async def browser(suite: Suite) -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


async def test_a_call_booked_by_buttons_is_reminded_and_shows_on_her_day(browser: Any, suite: Suite) -> None:
    # Both reminders reached the relative, inside their window (09:00-21:00 in Moscow).
    assert [m["text"].split(":")[0] for m in suite.reminders] == [
        "Напоминаем о звонке с автором роликов",
        "Через час звонок с автором роликов",
    ]
    call = call_of(suite.app, suite.relative.user_id)
    assert call.starts_at is not None
    sent_at = [call.starts_at - timedelta(hours=24), call.starts_at - timedelta(hours=1)]
    assert all(9 <= (moment + timedelta(hours=3)).hour < 21 for moment in sent_at)
    to_her = [m["text"] for m in await suite.sandbox.sent(peer_id=FOUNDER)]
    assert to_her[0].startswith("Завтра звонок") and to_her[1].startswith("Через час звонок")
    every = await suite.sandbox.sent()
    assert len({m["random_id"] for m in every}) == len(every), "a message went twice"

    context = await browser.new_context(viewport={"width": 420, "height": 900})  # her phone
    page = await context.new_page()
    try:
        await sign_in(page, suite)  # type: ignore[arg-type]
        await page.goto(f"{suite.url}/interviews")
        assert "В этот день звонков нет." in await page.inner_text("main")
        # The call is the next day: one tap on "next day".
        async with page.expect_navigation():
            await page.click("a[rel=next]")
        assert await page.inner_text("#day-title") == "Звонки: завтра, вторник, 8 декабря"
        row = page.locator(f"#call-{call.id}")
        text = await row.inner_text()
        local = call.starts_at + timedelta(hours=3)
        assert f"{local:%H:%M}–{local + timedelta(minutes=45):%H:%M}" in text
        assert "Мария Ивановна Кузнецова" in text
        assert f"{local:%H:%M}" in suite.booked_label
        async with page.expect_navigation():
            await row.locator("a[href^='/orders/']").click()
        assert "/orders/" in page.url and "Мария Ивановна Кузнецова" in await page.inner_text("main")
        order_url = page.url
        await page.go_back()
        assert FEED_TOKEN in await page.inner_text("#feed-url")
        await screenshot(page, "interviews_day")
        # She moves the call from its order page; the relative hears the new time (09:30: inside the window).
        await page.goto(order_url)
        assert await page.inner_text("#call-status") == "Назначен"
        new_time = await page.locator(".call-move option").nth(1).inner_text()
        await page.select_option(".call-move select", index=1)
        async with page.expect_navigation():
            await page.click(".call-move button")
        assert await page.inner_text("#call-done") == f"Звонок перенесён: {new_time}."
        await screenshot(page, "interviews_order_call")

        async def told_of_the_move() -> bool:
            """the relative got the new time"""
            return any(
                "пришлось перенести" in m["text"]
                for m in await suite.sandbox.sent(peer_id=suite.relative.user_id)
            )

        await eventually(told_of_the_move)
    finally:
        await context.close()
