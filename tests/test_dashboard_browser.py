"""The founder's dashboard in real headless Chromium, served by the running suite against the sandbox.

Relatives write through the sandbox (the intake of ``test_intake_sandbox``); one tells a story with
markup in it, two strangers send abuse. Everything is set up once per module (one suite, one browser);
each test opens a fresh browser context, so it signs in itself.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import Session

import i18n
from moderation.browse import hidden_count
from moderation.models import ModItem
from moderation.review import category_label
from tests.app_helpers import eventually
from tests.browser import CHROMIUM, OPEN_WINDOW, PASSWORD, chromium, dashboard_suite, open_blurred, ru
from tests.test_intake_sandbox import WORDS, Relative
from vkbot.app import App
from vkbot.sandbox import SandboxControl, SandboxThread
from waitlist.models import WlOrder

playwright_api = pytest.importorskip("playwright.async_api")

MARKUP_STORY = 'Мама любила сад <script>window.pwned=1</script> и <img src=x onerror="window.pwned=2"> птиц'
ABUSE_KEPT = "Ты тупая мразь, чтоб ты сдохла"  # stays hidden
ABUSE_RESTORED = "Сдохни, тварь, ненавижу тебя"  # restored by a test
HIDDEN_AUTHOR, RESTORED_AUTHOR = 5101, 5102

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")


class StoryTeller(Relative):
    """A relative whose story carries markup, as anyone may paste into a message."""

    @property
    def words(self) -> dict[str, str]:
        return {**WORDS["ru"], "subject": "Анна <b>Петровна</b>", "story": MARKUP_STORY}


@dataclass
class Suite:
    app: App
    url: str
    sandbox: SandboxControl
    plain: WlOrder
    marked: WlOrder
    hidden_item: int
    restored_item: int


@pytest.fixture(scope="module")
async def suite(
    sandbox_server: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    folder = tmp_path_factory.mktemp("dashboard")
    async with dashboard_suite(sandbox_server.url, folder, waitlist=OPEN_WINDOW) as (app, sandbox):
        assert app.dashboard is not None

        async def order_for(relative: Relative) -> None:
            await relative.start()
            await relative.finish()

        await asyncio.gather(order_for(Relative(sandbox, 5001)), order_for(StoryTeller(sandbox, 5002)))
        await sandbox.inject_message(HIDDEN_AUTHOR, ABUSE_KEPT)
        await sandbox.inject_message(RESTORED_AUTHOR, ABUSE_RESTORED)

        def items() -> dict[int, ModItem]:
            with Session(app.engine) as session:
                return {i.author_id: i for i in session.scalars(select(ModItem))}

        async def both_hidden() -> bool:
            found = items()
            return all(
                a in found and found[a].status == "quarantined" for a in (HIDDEN_AUTHOR, RESTORED_AUTHOR)
            )

        await eventually(both_hidden)
        with Session(app.engine) as session:
            orders = {o.peer_id: o for o in session.scalars(select(WlOrder))}
        found = items()
        yield Suite(
            app,
            app.dashboard.url,
            sandbox,
            orders[5001],
            orders[5002],
            found[HIDDEN_AUTHOR].id or 0,
            found[RESTORED_AUTHOR].id or 0,
        )


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


async def sign_in(page: Any, suite: Suite, password: str = PASSWORD) -> Any:
    await page.goto(f"{suite.url}/login")
    await page.fill("input[name=password]", password)
    async with page.expect_navigation() as navigation:
        await page.click("button[type=submit] >> text=" + i18n.text("dashboard.login.submit"))
    return await navigation.value


async def test_every_page_needs_a_sign_in_and_a_wrong_password_is_refused(page: Any, suite: Suite) -> None:
    for path in ("/queue", "/inbox", "/review", f"/review/{suite.hidden_item}", "/status"):
        await page.goto(f"{suite.url}{path}")
        assert page.url == f"{suite.url}/login", f"{path} was shown without a sign-in"
    answer = await sign_in(page, suite, "wrong password")
    assert answer.status == 401
    assert ru("dashboard.login.wrong") in await page.inner_text("main")
    await page.goto(f"{suite.url}/queue")
    assert page.url == f"{suite.url}/login"

    await sign_in(page, suite)
    assert page.url == f"{suite.url}/needs", "Needs you is the first page"
    [cookie] = [c for c in await page.context.cookies() if c["name"] == "vkbot_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert PASSWORD not in cookie["value"]

    # Signing out ends the session for good: the same cookie, put back, is refused.
    async with page.expect_navigation():
        await page.click(f"header button >> text={ru('dashboard.nav.logout')}")
    assert page.url == f"{suite.url}/login"
    await page.context.add_cookies([cookie])
    await page.goto(f"{suite.url}/queue")
    assert page.url == f"{suite.url}/login"


async def test_the_queue_shows_the_orders_relatives_made_through_the_sandbox(page: Any, suite: Suite) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/queue")
    rows = page.locator("table.queue tbody tr")
    texts = await rows.all_inner_texts()
    assert len(texts) == 2
    # The two relatives write at once: whoever confirmed first is ahead in the queue.
    names = {suite.plain.number: WORDS["ru"]["subject"], suite.marked.number: "Анна <b>Петровна</b>"}
    ahead, behind = sorted((suite.plain, suite.marked), key=lambda order: order.queue_rank or 0.0)
    first, second = texts
    assert f"№ {ahead.number}" in first and names[ahead.number] in first
    assert f"№ {behind.number}" in second and names[behind.number] in second
    assert ru("dashboard.status.waiting") in first and ru("dashboard.publish.no") in first
    assert re.search(r"\d{1,2} \w+( \d{4})? – \d{1,2} \w+", first), "an estimate is shown, in words"

    await page.click(f"text=№ {suite.plain.number}")
    assert page.url == f"{suite.url}/orders/{suite.plain.number}"
    assert WORDS["ru"]["story"] in await page.inner_text("main")
    assert ru("intake.button.wish_wings") in await page.inner_text("dl.facts")


async def test_a_relatives_markup_is_shown_as_text_and_never_runs(browser: Any, suite: Suite) -> None:
    # Twice: as served (with the CSP), and with the CSP bypassed, so escaping alone is what is proven.
    for bypass_csp in (False, True):
        context = await browser.new_context(bypass_csp=bypass_csp)
        page = await context.new_page()
        await sign_in(page, suite)
        for path in (f"/orders/{suite.marked.number}", "/inbox", "/queue"):
            answer = await page.goto(f"{suite.url}{path}")
            assert "default-src 'self'" in answer.headers["content-security-policy"]
            await page.wait_for_load_state("load")
            assert await page.evaluate("typeof window.pwned") == "undefined", path
            # The only images are the order's photo thumbnails; nothing from a relative's words.
            assert await page.locator("main script, main img:not(.thumb)").count() == 0, path
        await page.goto(f"{suite.url}/inbox")  # where the story arrived as a message
        await open_blurred(page)  # a message sent to review is blurred; its text must be escaped too
        text = await page.inner_text("ul.inbox")
        assert "<script>window.pwned=1</script>" in text
        assert '<img src=x onerror="window.pwned=2">' in text
        await page.goto(f"{suite.url}/orders/{suite.marked.number}")
        assert MARKUP_STORY in await page.inner_text("main")
        await context.close()


async def test_abuse_stays_out_of_the_inbox_and_its_text_shows_only_when_asked(
    page: Any, suite: Suite
) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/inbox")
    inbox = await page.content()
    assert ABUSE_KEPT not in inbox
    assert WORDS["ru"]["hello"] in inbox, "the relatives' own messages are there"
    with Session(suite.app.engine) as session:
        hidden = hidden_count(session)
        kept = session.get(ModItem, suite.hidden_item)
        assert kept is not None
    assert hidden >= 1
    assert ru("dashboard.inbox.hidden", count=hidden) in await page.inner_text(".hidden-count")

    await page.click(f"text={ru('dashboard.inbox.review_link')}")
    assert page.url == f"{suite.url}/review"
    review = await page.content()
    assert ABUSE_KEPT not in review and ABUSE_RESTORED not in review
    row = page.locator(f"#item-{suite.hidden_item}")
    assert str(HIDDEN_AUTHOR) in await row.inner_text()
    assert category_label(kept.categories[0], "ru") in await row.inner_text()

    await row.locator("a.show").click()
    assert page.url == f"{suite.url}/review/{suite.hidden_item}"
    assert ABUSE_KEPT in await page.inner_text("blockquote.revealed")


async def test_restoring_from_the_browser_puts_the_message_in_the_inbox(page: Any, suite: Suite) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/inbox")
    assert ABUSE_RESTORED not in await page.content()
    await page.goto(f"{suite.url}/review/{suite.restored_item}")
    async with page.expect_navigation():
        await page.click(f"button >> text={ru('dashboard.review.restore')}")
    assert page.url == f"{suite.url}/review?done=restored"
    assert ru("dashboard.review.notice.restored") in await page.inner_text("main")
    assert await page.locator(f"#item-{suite.restored_item}").count() == 0

    await page.goto(f"{suite.url}/inbox")
    assert ABUSE_RESTORED in await page.inner_text("ul.inbox")
    assert ABUSE_KEPT not in await page.content()
    with Session(suite.app.engine) as session:
        item = session.get(ModItem, suite.restored_item)
        assert item is not None and item.status == "restored" and item.reviewed_by == "founder"


async def test_a_status_change_on_the_order_page_is_shown_and_stored(page: Any, suite: Suite) -> None:
    before = len(await suite.sandbox.sent(peer_id=5001))
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/orders/{suite.plain.number}")
    await page.select_option("select[name=status]", "in_progress")
    await page.fill("input[name=reason]", "начинаю работу")
    async with page.expect_navigation():
        await page.click(f"button >> text={ru('dashboard.order.save')}")
    assert page.url == f"{suite.url}/orders/{suite.plain.number}?done=status"
    assert await page.inner_text("#order-status") == ru("dashboard.status.in_progress")
    with Session(suite.app.engine) as session:
        order = session.get(WlOrder, suite.plain.id)
        assert order is not None and order.status == "in_progress"
        assert order.status_reason == "начинаю работу"

    async def told_their_turn() -> bool:
        """the relative hears that work on their clip has begun (the CLI's notice, sent by the suite)"""
        return len(await suite.sandbox.sent(peer_id=5001)) > before

    await eventually(told_their_turn, timeout=10)


async def test_switching_to_english_shows_english_wording(page: Any, suite: Suite) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/queue")
    assert await page.inner_text("h1") == ru("dashboard.queue.title")
    async with page.expect_navigation():
        await page.click("header .langs a[lang=en]")
    assert page.url == f"{suite.url}/queue"
    assert await page.inner_text("h1") == "Order queue"
    assert "Conversations" in await page.inner_text("header nav")
    await page.goto(f"{suite.url}/review")
    assert await page.inner_text("h1") == "Hidden messages"


async def test_the_status_page_shows_the_listener_and_the_outbox(page: Any, suite: Suite) -> None:
    await sign_in(page, suite)
    await page.goto(f"{suite.url}/status")
    assert await page.inner_text("#listener-state") == ru(
        f"dashboard.state.listener_states.{suite.app.listener.state}"
    )
    assert ru("dashboard.state.healthy") == await page.inner_text("#healthy")
    outbox = await page.inner_text("#outbox")
    assert ru("dashboard.state.outbox_states.done") in outbox, "replies the suite sent are counted"


async def _signed_in_client(suite: Suite) -> tuple[aiohttp.ClientSession, str]:
    """An HTTP client with a valid session, and the CSRF token of its forms."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with http.get(f"{suite.url}/login") as answer:
        token = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
    assert token is not None
    async with http.post(
        f"{suite.url}/login", data={"csrf": token.group(1), "password": PASSWORD}, allow_redirects=False
    ) as answer:
        assert answer.status == 302
    async with http.get(f"{suite.url}/orders/{suite.marked.number}") as answer:
        csrf = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
    assert csrf is not None
    return http, csrf.group(1)


async def test_a_post_without_its_csrf_token_is_refused(suite: Suite) -> None:
    http, csrf = await _signed_in_client(suite)
    target = f"{suite.url}/orders/{suite.marked.number}/status"
    try:
        for data in ({"status": "declined"}, {"status": "declined", "csrf": csrf[:-2] + "xx"}):
            async with http.post(target, data=data, allow_redirects=False) as answer:
                assert answer.status == 403
                assert i18n.text("dashboard.error.forbidden", "ru") in await answer.text()
        async with http.post(
            f"{suite.url}/review/{suite.hidden_item}/restore", data={}, allow_redirects=False
        ) as answer:
            assert answer.status == 403
        with Session(suite.app.engine) as session:
            order = session.get(WlOrder, suite.marked.id)
            item = session.get(ModItem, suite.hidden_item)
            assert order is not None and order.status == "waiting"
            assert item is not None and item.status == "quarantined"
        # The same form with its token goes through: the refusals above were about the token alone.
        async with http.post(
            target, data={"status": "waiting", "csrf": csrf}, allow_redirects=False
        ) as answer:
            assert answer.status == 302
    finally:
        await http.close()
    # A login without the form's token (another site posting a password) is refused too.
    async with (
        aiohttp.ClientSession() as stranger,
        stranger.post(f"{suite.url}/login", data={"password": PASSWORD}, allow_redirects=False) as answer,
    ):
        assert answer.status == 403
        assert "vkbot_session" not in answer.cookies
        assert i18n.text("dashboard.login.expired", "ru") in await answer.text()
