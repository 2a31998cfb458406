"""The founder's desk in real headless Chromium, served by the running suite against the sandbox.

One suite and one browser for the module: a relative writes words of despair, another writes with
markup in the message, a third says hello. Each test opens a fresh context and signs in itself; the
pages are kept as screenshots under screenshots/ for a person to look at.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests import browser as shared
from tests.app_helpers import eventually
from tests.browser import CHROMIUM, OPEN_WINDOW, PASSWORD, chromium, dashboard_suite, open_blurred, ru
from vkbot.app import App
from vkbot.sandbox import SandboxControl, SandboxThread
from waitlist.models import WlInbox

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")

FOUNDER = 4242
DESPAIRING, MARKED, TALKING = 6001, 6002, 6003
DESPAIR = "Мужа не стало, я не хочу больше жить"
MARKUP = 'Мама <script>window.pwned=1</script> любила <img src=x onerror="window.pwned=2"> сад'
HELLO = "Здравствуйте, у нас умерла мама, можно сделать ролик?"
REPLY = "Здравствуйте, это Анна. Я прочитала ваше сообщение и позвоню вам вечером."


@dataclass
class Suite:
    app: App
    url: str
    sandbox: SandboxControl


@pytest.fixture(scope="module")
async def suite(
    sandbox_server: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    folder = tmp_path_factory.mktemp("desk")
    async with dashboard_suite(
        sandbox_server.url, folder, waitlist=OPEN_WINDOW, alerts={"founder_user_id": FOUNDER}
    ) as (app, sandbox):
        assert app.dashboard is not None
        await sandbox.allow(FOUNDER)  # she wrote to the community once, so it may write to her
        for peer, text in ((DESPAIRING, DESPAIR), (MARKED, MARKUP), (TALKING, HELLO)):
            await sandbox.inject_message(peer, text)

        async def all_answered() -> bool:
            """each relative has had the bot's answer"""
            return all([await sandbox.sent(peer_id=p) for p in (DESPAIRING, MARKED, TALKING)])

        await eventually(all_answered)
        yield Suite(app, app.dashboard.url, sandbox)


@pytest.fixture(scope="module")
async def browser(suite: Suite) -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


async def signed_in(browser: Any, suite: Suite, **options: Any) -> Any:
    """A fresh context signed in; the page is on Needs you, where signing in leads."""
    context = await browser.new_context(**options)
    page = await context.new_page()
    await page.goto(f"{suite.url}/login")
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert page.url == f"{suite.url}/needs"
    return page


async def shot(page: Any, name: str) -> None:
    await shared.screenshot(page, f"desk-{name}")


async def test_words_of_despair_wait_under_needs_you_and_she_is_told_once_in_vk(
    browser: Any, suite: Suite
) -> None:
    async def told() -> bool:
        """the founder's VK alert was sent"""
        return bool(await suite.sandbox.sent(peer_id=FOUNDER))

    await eventually(told)
    # The alert and the relative's support line were queued in one transaction, both are sent by now:
    # one alert for one message, whatever the retries.
    alerts = await suite.sandbox.sent(peer_id=FOUNDER)
    assert len(alerts) == 1 and DESPAIR in alerts[0]["text"] and f"vk.com/id{DESPAIRING}" in alerts[0]["text"]

    page = await signed_in(browser, suite)
    crisis = page.locator("#needs-crisis")
    assert DESPAIR in await crisis.inner_text()
    await shot(page, "needs")
    async with page.expect_navigation():
        await crisis.locator(f"a >> text={ru('dashboard.needs.open')}").first.click()
    assert page.url == f"{suite.url}/conversations/{DESPAIRING}"
    assert DESPAIR in await page.inner_text("ol.lines")
    support = suite.app.config.waitlist.support_line or suite.app.config.moderation.support_line
    assert support in await page.inner_text("ol.lines"), "the bot's answer is in the thread too"
    await page.context.close()

    phone = await signed_in(browser, suite, viewport={"width": 390, "height": 844}, is_mobile=True)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing wider than a phone's screen"
    await shot(phone, "needs-phone")
    await phone.context.close()
    assert len(await suite.sandbox.sent(peer_id=FOUNDER)) == 1


async def test_her_reply_reaches_the_relative_and_the_bot_stays_quiet_in_that_thread(
    browser: Any, suite: Suite
) -> None:
    before = len(await suite.sandbox.sent(peer_id=TALKING))
    page = await signed_in(browser, suite)
    await page.click(f"header nav a >> text={ru('dashboard.nav.conversations')}")
    assert await page.locator(f"#thread-{TALKING}").count() == 1
    assert await page.locator(f"#thread-{FOUNDER}").count() == 0, "her alerts are not a relative's thread"
    await shot(page, "conversations")
    async with page.expect_navigation():
        await page.click(f"#thread-{TALKING} a")
    await page.fill("textarea[name=text]", REPLY)
    async with page.expect_navigation():
        await page.click(f"button >> text={ru('dashboard.conversations.send')}")
    assert page.url == f"{suite.url}/conversations/{TALKING}?done=sent"
    assert ru("dashboard.conversations.hand_back") in await page.inner_text("#bot-state")

    async def arrived() -> bool:
        """her reply is in the sandbox's /sandbox/sent"""
        return any(m["text"] == REPLY for m in await suite.sandbox.sent(peer_id=TALKING))

    await eventually(arrived)
    sent = await suite.sandbox.sent(peer_id=TALKING)
    assert len(sent) == before + 1

    await suite.sandbox.inject_message(TALKING, "Спасибо, буду ждать")

    def kept() -> bool:
        with Session(suite.app.engine) as session:
            query = select(WlInbox).where(WlInbox.peer_id == TALKING, WlInbox.kind == "during_takeover")
            return session.scalars(query).first() is not None

    async def handled() -> bool:
        """the relative's next message was handled (kept for her)"""
        return await asyncio.to_thread(kept)

    await eventually(handled)
    assert len(await suite.sandbox.sent(peer_id=TALKING)) == before + 1, "the bot stays quiet while she talks"
    await page.goto(f"{suite.url}/conversations/{TALKING}")
    lines = await page.inner_text("ol.lines")
    assert REPLY in lines and "Спасибо, буду ждать" in lines
    await shot(page, "conversation")
    await page.context.close()


async def test_markup_in_a_message_is_shown_as_text_and_never_runs(browser: Any, suite: Suite) -> None:
    page = await signed_in(browser, suite, bypass_csp=True)  # escaping alone is what is proven
    for path in ("/needs", "/conversations", f"/conversations/{MARKED}", "/conversations?q=сад"):
        await page.goto(f"{suite.url}{path}")
        await page.wait_for_load_state("load")
        assert await page.evaluate("typeof window.pwned") == "undefined", path
        assert await page.locator("main script, main img").count() == 0, path
    await page.goto(f"{suite.url}/conversations/{MARKED}")
    await open_blurred(page)  # a message sent to review is blurred; its text must be escaped too
    assert MARKUP in await page.inner_text("ol.lines")
    await page.goto(f"{suite.url}/status")
    assert await page.inner_text("#token-sentence") == ru("dashboard.tokens.not_connected")
    await shot(page, "status")
    await page.context.close()
