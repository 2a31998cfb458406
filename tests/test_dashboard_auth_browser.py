"""Accounts in real headless Chromium: the founder and a helper she adds each see what their role allows,
and a form posted without its CSRF token is refused. The guards themselves are tested without a browser
in ``test_dashboard_auth``; this module keeps to few page loads (one suite, one browser). A screenshot
of each page is kept under ``screenshots/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from moderation.models import ModItem
from tests import browser as shared
from tests.app_helpers import eventually
from tests.browser import CHROMIUM, PASSWORD, chromium, dashboard_suite, ru
from vkbot.app import App
from vkbot.dashboard import login
from vkbot.dashboard.models import DashAccount, DashAudit
from vkbot.sandbox import SandboxThread

playwright_api = pytest.importorskip("playwright.async_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium")

HELPER, HELPER_PASSWORD = "anna", "anna reviews the hidden ones"
ABUSE = "Ты тупая мразь, чтоб ты сдохла"


@dataclass
class Suite:
    app: App
    url: str


@pytest.fixture(scope="module")
async def suite(
    sandbox_server: SandboxThread, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Suite]:
    folder = tmp_path_factory.mktemp("dashboard_auth")
    async with dashboard_suite(sandbox_server.url, folder) as (app, sandbox):
        assert app.dashboard is not None
        await sandbox.inject_message(5201, ABUSE)

        async def hidden() -> bool:
            with Session(app.engine) as session:
                return any(i.status == "quarantined" for i in session.scalars(select(ModItem)))

        await eventually(hidden)
        yield Suite(app, app.dashboard.url)


@pytest.fixture(scope="module")
async def browser(suite: Suite) -> AsyncIterator[Any]:
    async with chromium() as launched:
        yield launched


async def screenshot(page: Any, name: str) -> None:
    await shared.screenshot(page, f"auth-{name}")


async def sign_in(page: Any, suite: Suite, name: str, password: str) -> Any:
    await page.goto(f"{suite.url}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    async with page.expect_navigation() as navigation:
        await page.click(f"form.login button >> text={ru('dashboard.login.submit')}")
    return await navigation.value


async def submit(page: Any, button: str) -> None:
    async with page.expect_navigation():
        await page.click(button)


async def test_the_founder_and_the_helper_she_adds_each_see_what_their_role_allows(
    browser: Any, suite: Suite
) -> None:
    founder = await browser.new_context()
    page = await founder.new_page()
    await sign_in(page, suite, "", PASSWORD)
    await screenshot(page, "queue-founder")
    assert ru("dashboard.accounts.signed_in_founder") in await page.inner_text("header")
    await page.goto(f"{suite.url}/review")
    assert ABUSE not in await page.content(), "she does not read abuse unless she asks"
    assert await page.locator("#hidden-counts li").count() >= 1
    await screenshot(page, "review-founder")

    await page.click(f"header nav >> text={ru('dashboard.accounts.nav')}")
    await page.wait_for_url(f"{suite.url}/accounts")
    await page.fill("form.add-helper input[name=name]", HELPER)
    await page.fill("form.add-helper input[name=password]", HELPER_PASSWORD)
    await page.fill("form.add-helper input[name=repeat]", HELPER_PASSWORD)
    await submit(page, f"form.add-helper button >> text={ru('dashboard.accounts.add_button')}")
    assert page.url == f"{suite.url}/accounts?done=added"
    assert await page.locator(f"#helper-{HELPER}").count() == 1
    await screenshot(page, "accounts")

    helper = await browser.new_context()
    other = await helper.new_page()
    await sign_in(other, suite, HELPER, HELPER_PASSWORD)
    assert other.url == f"{suite.url}{login.HOME}"
    header = await other.inner_text("header")
    assert ru("dashboard.accounts.signed_in_as", name=HELPER) in header
    assert ru("dashboard.accounts.nav") not in header
    await other.goto(f"{suite.url}/review")
    assert ABUSE in await other.inner_text("table.review"), "the helper reviews the texts"
    await screenshot(other, "review-helper")
    answer = await other.goto(f"{suite.url}/accounts")
    assert answer.status == 403
    assert ru("dashboard.error.forbidden") in await other.inner_text("main")

    # Her page shows who did what, the helper's sign-in included.
    await page.goto(f"{suite.url}/accounts")
    assert "POST /accounts/add · add anna" in await page.inner_text("#audit")
    signed_in = page.locator("#audit tr", has_text="POST /login").filter(has_text=HELPER)
    assert await signed_in.count() >= 1
    await founder.close()
    await helper.close()


async def test_a_form_posted_without_its_csrf_token_is_refused(browser: Any, suite: Suite) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, suite, "", PASSWORD)
    # The same browser (its session cookie) posting the add-helper form without the token.
    answer = await page.request.post(
        f"{suite.url}/accounts/add",
        form={"name": "mallory", "password": "x" * 12, "repeat": "x" * 12},
        max_redirects=0,
    )
    assert answer.status == 403
    assert ru("dashboard.error.forbidden") in await answer.text()
    with Session(suite.app.engine) as session:
        assert session.get(DashAccount, "mallory") is None
        refused = session.scalars(
            select(DashAudit).where(col(DashAudit.action) == "POST /accounts/add")
        ).all()
    assert any(row.status == 403 and row.actor == "founder" for row in refused)
    await context.close()
