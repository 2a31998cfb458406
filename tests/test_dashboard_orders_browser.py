"""The Orders pages in real headless Chromium, served by the running suite against the sandbox.

One suite and one browser for the module: a relative places an order with a photo through the sandbox;
the founder sees its thumbnail, opens it full size, and uploads the finished clip, which reaches the
family in the sandbox. The logic is tested without a browser in ``test_dashboard_orders``; a screenshot
of each page is kept under ``screenshots/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests import browser as shared
from tests.app_helpers import eventually
from tests.browser import CHROMIUM, OPEN_WINDOW, PASSWORD, chromium, dashboard_suite, ru
from tests.test_intake_sandbox import Relative
from vkbot.app import App
from vkbot.dashboard import login
from vkbot.sandbox import SandboxControl, SandboxThread
from waitlist.models import WlFile, WlOrder

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")

FAMILY = 5301
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"\x00clip" * 50_000


@dataclass
class Suite:
    app: App
    url: str
    sandbox: SandboxControl
    relative: Relative
    order: WlOrder
    photo: WlFile


@pytest.fixture(scope="module")
async def suite(
    sandbox_server: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    folder = tmp_path_factory.mktemp("orders")
    async with dashboard_suite(sandbox_server.url, folder, waitlist=OPEN_WINDOW) as (app, sandbox):
        assert app.dashboard is not None
        relative = Relative(sandbox, FAMILY)
        await relative.start()
        await relative.finish()
        with Session(app.engine) as session:
            order = session.scalars(select(WlOrder).where(WlOrder.peer_id == FAMILY)).one()
            photo = session.scalars(select(WlFile).where(WlFile.order_id == order.id)).one()
        yield Suite(app, app.dashboard.url, sandbox, relative, order, photo)


@pytest.fixture(scope="module")
async def browser(suite: Suite) -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context()
    page = await context.new_page()
    yield page
    await context.close()


async def sign_in(page: Any, suite: Suite) -> None:
    await page.goto(f"{suite.url}/login")
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.click(f"button[type=submit] >> text={ru('dashboard.login.submit')}")
    assert page.url == f"{suite.url}{login.HOME}"


async def screenshot(page: Any, name: str) -> None:
    await shared.screenshot(page, f"orders-{name}")


async def test_a_photo_thumbnail_loads_and_opens_full_size(page: Any, suite: Suite) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/queue")
    await page.fill("input[name=q]", suite.relative.words["subject"].split()[0].lower())
    async with page.expect_navigation():
        await page.click(f"button >> text={ru('dashboard.orders.find')}")
    await screenshot(page, "queue-search")
    async with page.expect_navigation():
        await page.click(f"text=№ {suite.order.number}")
    thumb = page.locator("#photo-1 img")
    await thumb.scroll_into_view_if_needed()

    async def loaded() -> bool:
        """the thumbnail image decoded in the page"""
        return bool(await thumb.evaluate("img => img.complete && img.naturalWidth > 0"))

    await eventually(loaded)
    width = await thumb.evaluate("img => img.naturalWidth")
    assert 0 < width <= 320
    await screenshot(page, "order")

    async with page.expect_navigation():
        await thumb.click()
    assert page.url == f"{suite.url}/orders/{suite.order.number}/files/{suite.photo.file_id}"
    full = page.locator("img").first

    async def opened() -> bool:
        """the full-size photo decoded"""
        return bool(await full.evaluate("img => img.complete && img.naturalWidth > 0"))

    await eventually(opened)
    assert await full.evaluate("img => img.naturalWidth") == suite.photo.width
    await screenshot(page, "photo-full")

    await page.goto(f"{suite.url}/signups")
    assert await page.inner_text("h1") == ru("dashboard.signups.title")
    await screenshot(page, "signups")


async def test_an_uploaded_clip_reaches_the_family(page: Any, suite: Suite, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(CLIP)
    seen = len(await suite.sandbox.sent(peer_id=FAMILY))
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/orders/{suite.order.number}")
    await page.set_input_files("input[name=clip]", str(clip))
    async with page.expect_navigation():
        await page.click(f"button >> text={ru('dashboard.orders.clip_send')}")
    assert page.url == f"{suite.url}/orders/{suite.order.number}?done=clip"
    assert await page.inner_text("#order-status") == ru("dashboard.status.delivered")
    assert await page.inner_text("#clip-notice") == ru("dashboard.orders.clip_sent_sent")
    await screenshot(page, "clip-sent")

    async def delivered() -> bool:
        """the family received a message with the clip attached"""
        return any(m.get("attachment") for m in (await suite.sandbox.sent(peer_id=FAMILY))[seen:])

    await eventually(delivered)
    [message] = [m for m in (await suite.sandbox.sent(peer_id=FAMILY))[seen:] if m.get("attachment")]
    assert message["attachment"].startswith("doc-1001_"), "without the user token: as a document"
    with Session(suite.app.engine) as session:
        order = session.get(WlOrder, suite.order.id)
        assert order is not None and order.status == "delivered" and order.clip_file_id
